package io.estuary.api.hooks;

import io.estuary.api.Message;
import io.estuary.api.Payload;

/**
 * What {@code auth_on_publish} may change (VerneMQ: topic, payload, qos, retain, mountpoint). Null
 * fields change nothing; a mountpoint is put in front of the (possibly rewritten) topic.
 */
public record PublishModifiers(String topic, Payload payload, Integer qos, Boolean retain, String mountpoint) {
  public PublishModifiers {
    if (qos != null && (qos < 0 || qos > 2)) {
      throw new IllegalArgumentException("qos must be 0..2, was " + qos);
    }
  }

  public static PublishModifiers topic(String topic) {
    return new PublishModifiers(topic, null, null, null, null);
  }

  public static PublishModifiers payload(Payload payload) {
    return new PublishModifiers(null, payload, null, null, null);
  }

  /** {@code m} with these changes. */
  public Message apply(Message m) {
    Message out = m;
    String t = topic != null ? topic : m.topic();
    if (mountpoint != null && !mountpoint.isEmpty()) {
      t = mountpoint + t;
    }
    if (!t.equals(m.topic())) {
      out = out.withTopic(t);
    }
    if (payload != null) {
      out = new Message(out.topic(), payload, out.qos(), out.retain(), out.properties(), out.createdAtMillis(),
          out.publisher());
    }
    if (qos != null) {
      out = out.withQos(qos);
    }
    if (retain != null) {
      out = out.withRetain(retain);
    }
    return out;
  }
}
