package io.estuary.uplink.mapping;

import io.estuary.api.topic.Topics;
import java.util.List;
import java.util.Objects;

/**
 * One local → remote forward: messages on {@code filter} (minus {@code exclude}) go to the upstream
 * broker on {@code remoteTopic}.
 *
 * @param qos the QoS used upstream, or null to keep the message's own QoS
 * @param retain whether the retain flag travels upstream
 */
public record ForwardRule(String filter, List<String> exclude, TopicTemplate remoteTopic, Integer qos, RetainMode retain) {

  /** What happens to the retain flag of a forwarded message. */
  public enum RetainMode { KEEP, CLEAR }

  public ForwardRule {
    Objects.requireNonNull(remoteTopic, "remoteTopic");
    Objects.requireNonNull(retain, "retain");
    requireFilter(filter);
    exclude = List.copyOf(exclude);
    exclude.forEach(ForwardRule::requireFilter);
    if (qos != null && (qos < 0 || qos > 2)) {
      throw new IllegalArgumentException("qos must be 0..2, was " + qos);
    }
  }

  private static void requireFilter(String f) {
    String why = Topics.checkFilter(f);
    if (why != null) {
      throw new IllegalArgumentException("\"" + f + "\" is not a topic filter: " + why);
    }
  }

  /** Whether this rule forwards {@code topic}. */
  public boolean accepts(String topic) {
    if (!Topics.matches(filter, topic)) {
      return false;
    }
    for (String x : exclude) {
      if (Topics.matches(x, topic)) {
        return false;
      }
    }
    return true;
  }
}
