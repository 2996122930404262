package io.estuary.api;

import java.util.Objects;

/**
 * One subscription request (MQTT 5 §3.8.3.1 options). Adapters of protocols without these options use
 * {@link #of(String, int)}.
 *
 * @param subscriptionId MQTT 5 subscription identifier, 0 when absent
 * @param retainHandling 0 send retained, 1 send only if new, 2 never
 */
public record Subscription(
    TopicFilter filter, int qos, boolean noLocal, boolean retainAsPublished, int retainHandling, int subscriptionId) {

  public Subscription {
    Objects.requireNonNull(filter, "filter");
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos must be 0..2, was " + qos);
    }
    if (retainHandling < 0 || retainHandling > 2) {
      throw new IllegalArgumentException("retainHandling must be 0..2, was " + retainHandling);
    }
  }

  public static Subscription of(String filter, int qos) {
    return new Subscription(new TopicFilter(filter), qos, false, false, 0, 0);
  }

  public Subscription withQos(int q) {
    return new Subscription(filter, q, noLocal, retainAsPublished, retainHandling, subscriptionId);
  }
}
