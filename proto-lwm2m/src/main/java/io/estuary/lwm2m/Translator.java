package io.estuary.lwm2m;

import java.util.Objects;

/**
 * One entry of EMQX's {@code translators}: the topic (under the mountpoint) and QoS of one message kind.
 */
public record Translator(String topic, int qos) {
  public Translator {
    Objects.requireNonNull(topic, "topic");
    if (topic.isEmpty() || topic.contains("+") || topic.contains("#")) {
      throw new IllegalArgumentException("translator topic must be a non-empty topic name without wildcards, was '" + topic + "'");
    }
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("translator qos must be 0..2, was " + qos);
    }
  }
}
