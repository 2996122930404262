package io.estuary.core.auth;

import io.estuary.api.ClientInfo;

/**
 * One source of the authorization chain ({@code authorization.sources}). In memory and fast: called on
 * the publisher's thread and the sessions' executors.
 */
public interface AuthzSource {
  String name();

  /** TRUE allows, FALSE denies, null: no match, the next source (then {@code no_match}) decides. */
  Boolean check(ClientInfo client, Authorizer.Action action, String topic);

  /** FALSE vetoes delivering a message on the concrete {@code topic} to {@code client}; null or TRUE let it go. */
  Boolean checkDelivery(ClientInfo client, String topic);

  /** False when {@link #checkDelivery} can never veto for this client (the per-delivery check is skipped). */
  boolean checksDelivery(ClientInfo client);
}
