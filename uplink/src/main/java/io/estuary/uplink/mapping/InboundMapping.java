package io.estuary.uplink.mapping;

import io.estuary.api.Message;
import io.estuary.api.topic.Topics;
import java.util.List;

/**
 * Remote → local: drops messages this node sent (origin marker) and renders the local topic of the
 * first subscription rule whose remote filter matches.
 */
public final class InboundMapping {
  /** What became of a remote message. */
  public sealed interface Result {}

  public record Publish(Message local) implements Result {}

  /** The message carries this node's origin marker: it went round a loop. */
  public record OwnOrigin() implements Result {}

  /** No subscription rule matches the topic (a stale subscription of a resumed session). */
  public record Unmatched() implements Result {}

  private final List<SubscriptionRule> rules;
  private final String node;

  public InboundMapping(List<SubscriptionRule> rules, String node) {
    this.rules = List.copyOf(rules);
    this.node = node;
  }

  public Result toLocal(Message remote) {
    if (node.equals(Origin.of(remote.properties()))) {
      return new OwnOrigin();
    }
    for (SubscriptionRule r : rules) {
      if (Topics.matches(r.remoteFilter(), remote.topic())) {
        return new Publish(remote.withTopic(r.localTopic().render(remote.topic(), node)));
      }
    }
    return new Unmatched();
  }
}
