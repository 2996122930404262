package io.estuary.api;

/**
 * Names one QoS 1/2 delivery that the session has not yet seen acknowledged, so the adapter can report
 * progress ({@link BrokerSession#received}, {@link BrokerSession#acknowledge}).
 *
 * <p>What it is: a per-session number from 1 to 65535 that no other unacknowledged delivery of the
 * session uses — the MQTT packet id, which the MQTT listener puts on the wire as it is. It is
 * <em>recycled</em>: once a delivery is acknowledged its id may name the next one, so an id is
 * meaningful only while its delivery is unacknowledged, and an adapter must not acknowledge an id twice
 * or keep one past the connection it came on. A delivery resent when the session resumes
 * ({@link Delivery#duplicate()}, {@link Delivery#releasePending()}) carries the id it had before. QoS 0
 * deliveries carry id 0. Adapters with their own message ids (MQTT-SN, CoAP, LwM2M) keep those and map
 * them to this one.
 */
public record DeliveryId(long value) {}
