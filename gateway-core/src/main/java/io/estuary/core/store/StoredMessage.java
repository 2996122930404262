package io.estuary.core.store;

import io.estuary.core.api.Message;
import java.util.List;

/**
 * A message queued for, or in flight to, one session.
 *
 * @param seq per-session sequence, the queue order
 * @param packetId 0 while queued; the packet id once sent (inflight)
 * @param released QoS 2: PUBREC received, only PUBREL remains
 */
public record StoredMessage(long seq, Message message, List<Integer> subscriptionIds, int packetId, boolean released) {
  public StoredMessage {
    subscriptionIds = List.copyOf(subscriptionIds);
  }

  public StoredMessage sent(int id) {
    return new StoredMessage(seq, message, subscriptionIds, id, false);
  }

  public StoredMessage releasedState() {
    return new StoredMessage(seq, message, subscriptionIds, packetId, true);
  }
}
