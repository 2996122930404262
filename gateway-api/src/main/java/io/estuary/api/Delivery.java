package io.estuary.api;

import java.util.List;

/**
 * A message going to a device, handed to {@link DeliverySink#deliver} on the sink's executor. For QoS 1/2
 * the adapter reports progress with {@link BrokerSession#acknowledge(DeliveryId)} (and, for QoS 2, with
 * {@link BrokerSession#received(DeliveryId)} once the device confirmed receipt).
 *
 * @param id names the delivery while it is unacknowledged (see {@link DeliveryId}: recycled, not unique
 *     for the session's lifetime); 0 for QoS 0
 * @param message topic with the session's effective QoS applied; expiry interval already reduced to the remaining time
 * @param duplicate a redelivery of an unacknowledged message (MQTT DUP)
 * @param releasePending QoS 2 redelivery after the device confirmed receipt ({@link BrokerSession#received}):
 *     only the release remains (MQTT PUBREL, MQTT 5 §4.4), not the message
 * @param subscriptionIds MQTT 5 subscription identifiers of the matching subscriptions
 */
public record Delivery(
    DeliveryId id, Message message, boolean duplicate, boolean releasePending, List<Integer> subscriptionIds) {
  public Delivery {
    subscriptionIds = subscriptionIds == null ? List.of() : List.copyOf(subscriptionIds);
  }
}
