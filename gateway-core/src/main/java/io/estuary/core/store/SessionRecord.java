package io.estuary.core.store;

import io.estuary.api.ClientInfo;
import io.estuary.api.Message;
import io.estuary.api.Subscription;
import java.util.List;
import java.util.Objects;

/**
 * The durable part of a persistent session.
 *
 * @param disconnectedAtMillis when the last connection ended, 0 while connected; expiry runs from here
 * @param owner the identity that created the session, or null when unknown (a record written before owners
 *     were stored: its next attach claims it)
 */
public record SessionRecord(
    String clientId,
    String protocol,
    String username,
    long expiryIntervalSeconds,
    long disconnectedAtMillis,
    List<Subscription> subscriptions,
    Message will,
    long willDelaySeconds,
    Owner owner) {

  public SessionRecord {
    subscriptions = List.copyOf(subscriptions);
  }

  /** A record without a known owner. */
  public SessionRecord(String clientId, String protocol, String username, long expiryIntervalSeconds,
      long disconnectedAtMillis, List<Subscription> subscriptions, Message will, long willDelaySeconds) {
    this(clientId, protocol, username, expiryIntervalSeconds, disconnectedAtMillis, subscriptions, will, willDelaySeconds, null);
  }

  /**
   * Who a session belongs to: the username and the identity the transport proved ({@link
   * ClientInfo#authIdentity()}); either may be null (anonymous, plain transport). Resuming or taking over
   * the session needs the same owner or a superuser.
   */
  public record Owner(String username, String authIdentity) {
    public static Owner of(ClientInfo client) {
      return new Owner(client.username(), client.authIdentity());
    }

    public boolean matches(ClientInfo client) {
      return Objects.equals(username, client.username()) && Objects.equals(authIdentity, client.authIdentity());
    }

    @Override
    public String toString() {
      return (username == null ? "<anonymous>" : username) + (authIdentity == null ? "" : "/" + authIdentity);
    }
  }
}
