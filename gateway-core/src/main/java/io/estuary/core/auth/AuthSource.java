package io.estuary.core.auth;

import io.estuary.api.AuthResult;
import io.estuary.api.ClientCredentials;

/**
 * One source of the authentication chain ({@code authentication.sources}): it allows, refuses, or — with
 * null — ignores a client it knows nothing about, and the next source is asked (EMQX 5's
 * {@code ignore}). {@link #check} may block (bcrypt, PBKDF2, HTTP): the chain calls it on its auth threads
 * when {@link #slow()} says so, never on an I/O thread.
 */
public interface AuthSource {
  /** The source's name in {@code authentication.sources}. */
  String name();

  /** Allowed, refused, or null to pass to the next source. */
  AuthResult check(ClientCredentials credentials);

  /** Called for every source before a chain run asks any (a source may drop what it kept about the client). Fast. */
  default void seen(ClientCredentials credentials) {}

  /** False when answers may not come from the auth cache (the source keeps per-client state a check must renew). */
  default boolean cacheable() {
    return true;
  }

  /** Whether {@link #check} may take long (hashing, network): it then runs on the chain's auth threads. */
  default boolean slow() {
    return true;
  }
}
