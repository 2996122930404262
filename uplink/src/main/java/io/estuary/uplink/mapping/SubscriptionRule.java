package io.estuary.uplink.mapping;

import io.estuary.api.topic.Topics;
import java.util.Objects;

/** One remote → local bridge: the uplink subscribes upstream to {@code remoteFilter} with {@code qos}. */
public record SubscriptionRule(String remoteFilter, TopicTemplate localTopic, int qos) {
  public SubscriptionRule {
    Objects.requireNonNull(localTopic, "localTopic");
    String why = Topics.checkFilter(remoteFilter);
    if (why != null) {
      throw new IllegalArgumentException("\"" + remoteFilter + "\" is not a topic filter: " + why);
    }
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos must be 0..2, was " + qos);
    }
  }
}
