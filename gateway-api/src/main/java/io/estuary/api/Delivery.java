package io.estuary.api;

import java.util.List;

/**
 * A message going to a device. For QoS 1/2 the adapter reports progress with
 * {@link BrokerSession#acknowledge(DeliveryId)} (and {@link BrokerSession#received(DeliveryId)} on a
 * QoS 2 PUBREC).
 *
 * @param message topic with the session's effective QoS applied; expiry interval already reduced to the remaining time
 * @param duplicate a redelivery of an unacknowledged message (MQTT DUP)
 * @param releasePending QoS 2 redelivery after PUBREC: send PUBREL, not PUBLISH (MQTT 5 §4.4)
 * @param subscriptionIds MQTT 5 subscription identifiers of the matching subscriptions
 */
public record Delivery(
    DeliveryId id, Message message, boolean duplicate, boolean releasePending, List<Integer> subscriptionIds) {
  public Delivery {
    subscriptionIds = subscriptionIds == null ? List.of() : List.copyOf(subscriptionIds);
  }
}
