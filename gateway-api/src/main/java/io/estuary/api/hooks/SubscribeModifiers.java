package io.estuary.api.hooks;

import java.util.List;

/**
 * What {@code auth_on_subscribe} may change: the list of topics and QoS, one entry per requested
 * subscription, in order (VerneMQ's {@code [[Topic, QoS]]}); QoS {@value #REJECT} refuses that one
 * filter (SUBACK failure), as in VerneMQ. A list of another length is an error (every filter refused).
 */
public record SubscribeModifiers(List<Topic> topics) {
  /** The QoS that refuses one filter (MQTT 3.1.1 SUBACK 0x80). */
  public static final int REJECT = 128;

  public record Topic(String filter, int qos) {
    public Topic {
      if (filter == null) {
        throw new IllegalArgumentException("filter");
      }
      if ((qos < 0 || qos > 2) && qos != REJECT) {
        throw new IllegalArgumentException("qos must be 0..2 or 128, was " + qos);
      }
    }
  }

  public SubscribeModifiers {
    topics = List.copyOf(topics);
  }
}
