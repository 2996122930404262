package io.estuary.mqtt.channel;

import java.util.HashMap;
import java.util.Map;

/**
 * MQTT 5 topic aliases of one connection (§3.3.2.3.4), both directions. The inbound table holds at most {@code
 * budget} characters of topic names (besides at most {@code mqtt.max_topic_alias} entries): 65,535 aliases of
 * 64 KiB names would be 4 GiB for one connection. Owned by the connection's thread.
 */
final class TopicAliases {
  private final Map<Integer, String> inbound = new HashMap<>();
  private final long budget;
  private long inboundChars;
  private final Map<String, Integer> outbound = new HashMap<>();
  private int clientMaximum;

  /** With an inbound table of at most {@code budget} characters of topic names. */
  TopicAliases(long budget) {
    this.budget = budget;
  }

  /** Whether binding {@code alias} to {@code topic} keeps the inbound table within its budget. */
  boolean fits(int alias, String topic) {
    String old = inbound.get(alias);
    return inboundChars - (old == null ? 0 : old.length()) + topic.length() <= budget;
  }

  /** The client's Topic Alias Maximum from CONNECT: how many aliases the server may assign (0 = none). */
  void clientMaximum(int max) {
    clientMaximum = max;
  }

  /**
   * The topic of an inbound PUBLISH with alias {@code alias}: a non-empty {@code topic} (re)binds the
   * alias; an empty one is resolved, null when the alias was never bound.
   */
  String inbound(int alias, String topic) {
    if (topic.isEmpty()) {
      return inbound.get(alias);
    }
    String old = inbound.put(alias, topic);
    inboundChars += topic.length() - (old == null ? 0 : old.length());
    return topic;
  }

  /** The alias already sent for {@code topic}, or null. */
  Integer outboundKnown(String topic) {
    return clientMaximum == 0 ? null : outbound.get(topic);
  }

  /** A new alias for {@code topic} (sent with the topic this once), or null when the client's maximum is used up. */
  Integer outboundAssign(String topic) {
    if (outbound.size() >= clientMaximum) {
      return null;
    }
    int alias = outbound.size() + 1;
    outbound.put(topic, alias);
    return alias;
  }
}
