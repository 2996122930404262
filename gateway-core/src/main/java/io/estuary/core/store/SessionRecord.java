package io.estuary.core.store;

import io.estuary.api.Message;
import io.estuary.api.Subscription;
import java.util.List;

/**
 * The durable part of a persistent session.
 *
 * @param disconnectedAtMillis when the last connection ended, 0 while connected; expiry runs from here
 */
public record SessionRecord(
    String clientId,
    String protocol,
    String username,
    long expiryIntervalSeconds,
    long disconnectedAtMillis,
    List<Subscription> subscriptions,
    Message will,
    long willDelaySeconds) {

  public SessionRecord {
    subscriptions = List.copyOf(subscriptions);
  }
}
