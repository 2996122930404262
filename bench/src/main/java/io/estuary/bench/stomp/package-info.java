/**
 * STOMP load tool (JDK only, so the same client drives Estuary and RabbitMQ's STOMP plugin): a STOMP
 * publisher, a STOMP subscriber with client-individual acks, and a minimal MQTT 3.1.1 QoS 1 subscriber.
 * Each connection has its own thread; results are printed as RESULT lines by {@link
 * io.estuary.bench.stomp.StompLoad}.
 */
package io.estuary.bench.stomp;
