package io.estuary.core.auth;

import io.estuary.api.AuthResult;
import io.estuary.api.ClientCredentials;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Username/password from config. A client without a username is let in only with
 * {@code allow_anonymous}; a known username must present its password; an unknown username is refused
 * unless anonymous access is allowed. A user configured without a password (devices that carry none:
 * MQTT-SN, DTLS-identified devices) is admitted by username alone, and only over a protocol that
 * {@code passwordless_protocols} lists (none by default). A user that has a password is never admitted
 * without it, whatever that list says: on plain UDP the "username" is just a string anyone can send.
 */
public final class ConfigAuthenticator implements Authenticator, AuthSource {
  private final boolean allowAnonymous;
  private final Map<String, UserEntry> users;
  private final List<String> passwordlessProtocols;

  public ConfigAuthenticator(boolean allowAnonymous, List<UserEntry> users, List<String> passwordlessProtocols) {
    this.allowAnonymous = allowAnonymous;
    this.users = users.stream().collect(Collectors.toUnmodifiableMap(UserEntry::username, Function.identity(), (a, b) -> b));
    this.passwordlessProtocols = List.copyOf(passwordlessProtocols);
  }

  /** Whether the named user is a superuser (skips ACLs). */
  public boolean isSuperuser(String username) {
    UserEntry u = username == null ? null : users.get(username);
    return u != null && u.superuser();
  }

  @Override
  public CompletionStage<AuthResult> authenticate(ClientCredentials c) {
    return CompletableFuture.completedFuture(checkOrAnonymous(c));
  }

  private AuthResult checkOrAnonymous(ClientCredentials c) {
    AuthResult r = check(c);
    return r != null ? r : allowAnonymous ? AuthResult.allowed() : AuthResult.notAuthorized("anonymous access disabled");
  }

  @Override
  public String name() {
    return "built_in";
  }

  /** Slow only when a user has a bcrypt hash. */
  @Override
  public boolean slow() {
    return users.values().stream().anyMatch(u -> u.hasPassword() && u.password().startsWith("$2"));
  }

  /** As a source of the chain: the users of {@code authentication.users}; null (ignore) for anyone else. */
  @Override
  public AuthResult check(ClientCredentials c) {
    String username = c.username();
    UserEntry user = username == null ? null : users.get(username);
    if (user == null) {
      return null;
    }
    if (!user.hasPassword()) {
      return passwordlessProtocols.contains(c.protocol()) && c.password() == null
          ? (user.superuser() ? AuthResult.allowedSuperuser() : AuthResult.allowed())
          : AuthResult.badCredentials("user without a password outside passwordless_protocols");
    }
    if (c.password() == null || !passwordMatches(user.password(), c.password())) {
      return AuthResult.badCredentials("bad username or password");
    }
    return user.superuser() ? AuthResult.allowedSuperuser() : AuthResult.allowed();
  }

  static boolean passwordMatches(String stored, byte[] given) {
    if (stored.startsWith("$2a$") || stored.startsWith("$2b$") || stored.startsWith("$2y$")) {
      try {
        return OpenBSDBCrypt.checkPassword(stored, new String(given, StandardCharsets.UTF_8).toCharArray());
      } catch (RuntimeException e) {
        return false;
      }
    }
    return MessageDigest.isEqual(stored.getBytes(StandardCharsets.UTF_8), given);
  }
}
