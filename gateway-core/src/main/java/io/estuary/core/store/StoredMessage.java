package io.estuary.core.store;

import io.estuary.api.Message;
import java.util.List;

/**
 * A message queued for, or in flight to, one session.
 *
 * @param seq per-session sequence, the queue order
 * @param packetId 0 while queued; the packet id once sent (inflight)
 * @param released QoS 2: PUBREC received, only PUBREL remains
 * @param routingTag non-zero when the message was routed from a persistent publisher's QoS 2 PUBLISH:
 *     the tag of that publish's routing marker ({@link Store#markRouting}); 0 otherwise
 */
public record StoredMessage(long seq, Message message, List<Integer> subscriptionIds, int packetId, boolean released,
    long routingTag) {
  public StoredMessage {
    subscriptionIds = List.copyOf(subscriptionIds);
  }

  public StoredMessage(long seq, Message message, List<Integer> subscriptionIds, int packetId, boolean released) {
    this(seq, message, subscriptionIds, packetId, released, 0);
  }

  public StoredMessage sent(int id) {
    return new StoredMessage(seq, message, subscriptionIds, id, false, routingTag);
  }

  public StoredMessage releasedState() {
    return new StoredMessage(seq, message, subscriptionIds, packetId, true, routingTag);
  }
}
