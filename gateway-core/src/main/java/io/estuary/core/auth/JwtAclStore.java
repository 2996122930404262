package io.estuary.core.auth;

import io.estuary.api.ClientInfo;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ACLs of clients the {@code jwt} source admitted with an {@code acl} claim, by client id and username,
 * and the {@code jwt} authorization source that applies them. Kept across reloads (it belongs to
 * {@link AuthSetup}); an entry is replaced when the client authenticates again and removed when a chain
 * run (not answered from the auth cache) sees the client again, before any source decides. Bounded: expired entries are dropped when it is full,
 * and a client that would not fit is refused at authentication (never admitted without its ACL).
 * Thread-safe.
 */
final class JwtAclStore implements AuthzSource {
  static final int MAX_CLIENTS = 100_000;

  private final Map<String, JwtAcl> acls = new ConcurrentHashMap<>();
  private final Clock clock;

  JwtAclStore(Clock clock) {
    this.clock = clock;
  }

  private static String key(String clientId, String username) {
    return clientId + '\0' + (username == null ? "" : username);
  }

  /** False when the store is full (of unexpired ACLs). */
  boolean put(String clientId, String username, JwtAcl acl) {
    String k = key(clientId, username);
    if (acls.size() >= MAX_CLIENTS && !acls.containsKey(k)) {
      acls.values().removeIf(a -> a.expires() != null && !clock.instant().isBefore(a.expires()));
      if (acls.size() >= MAX_CLIENTS) {
        return false;
      }
    }
    acls.put(k, acl);
    return true;
  }

  void forget(String clientId, String username) {
    acls.remove(key(clientId, username));
  }

  int size() {
    return acls.size();
  }

  @Override
  public String name() {
    return "jwt";
  }

  @Override
  public Boolean check(ClientInfo client, Authorizer.Action action, String topic) {
    JwtAcl acl = acls.get(key(client.clientId(), client.username()));
    return acl == null ? null : acl.check(client, action, topic, clock.instant());
  }

  @Override
  public Boolean checkDelivery(ClientInfo client, String topic) {
    return null; // as EMQX: the subscription was checked, deliveries are not
  }

  @Override
  public boolean checksDelivery(ClientInfo client) {
    return false;
  }
}
