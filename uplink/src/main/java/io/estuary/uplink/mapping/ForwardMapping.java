package io.estuary.uplink.mapping;

import io.estuary.api.Message;
import java.util.List;

/**
 * Local → remote: picks the first forward rule that accepts a message's topic and renders the
 * upstream message (topic template, QoS, retain, origin marker).
 */
public final class ForwardMapping {
  private final List<ForwardRule> rules;
  private final String node;

  public ForwardMapping(List<ForwardRule> rules, String node) {
    this.rules = List.copyOf(rules);
    this.node = node;
  }

  /** Marks a forward whose rendered topic is not a valid MQTT topic name (e.g. a client id with '+'). */
  public static final Message INVALID_TOPIC = Message.of("$invalid", io.estuary.api.Payload.EMPTY, 0, false);

  /**
   * The message to publish upstream; null when no rule forwards it (excluded); {@link #INVALID_TOPIC}
   * when the rendered topic is no valid topic name.
   */
  public Message toRemote(Message local) {
    for (ForwardRule r : rules) {
      if (r.accepts(local.topic())) {
        int qos = r.qos() == null ? local.qos() : r.qos();
        boolean retain = r.retain() == ForwardRule.RetainMode.KEEP && local.retain();
        String topic = r.remoteTopic().render(local.topic(), node, local.publisher());
        if (!validTopicName(topic)) {
          return INVALID_TOPIC;
        }
        return new Message(topic, local.payload(), qos, retain, Origin.mark(local.properties(), node),
            local.createdAtMillis(), local.publisher());
      }
    }
    return null;
  }

  /** MQTT 5 §4.7.3: a topic name is non-empty, has no wildcard or NUL and fits 65,535 UTF-8 bytes. */
  static boolean validTopicName(String t) {
    if (t.isEmpty() || t.length() > 65535 / 3 && t.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 65535) {
      return false;
    }
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c == '+' || c == '#' || c == 0) {
        return false;
      }
    }
    return true;
  }
}
