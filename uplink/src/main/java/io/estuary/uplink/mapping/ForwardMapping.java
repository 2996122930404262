package io.estuary.uplink.mapping;

import io.estuary.core.api.Message;
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

  /** The message to publish upstream, or null when no rule forwards it (excluded). */
  public Message toRemote(Message local) {
    for (ForwardRule r : rules) {
      if (r.accepts(local.topic())) {
        int qos = r.qos() == null ? local.qos() : r.qos();
        boolean retain = r.retain() == ForwardRule.RetainMode.KEEP && local.retain();
        return new Message(r.remoteTopic().render(local.topic(), node), local.payload(), qos, retain,
            Origin.mark(local.properties(), node), local.createdAtMillis());
      }
    }
    return null;
  }
}
