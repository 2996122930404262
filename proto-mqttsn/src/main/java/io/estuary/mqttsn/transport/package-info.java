/**
 * Netty glue for MQTT-SN over UDP: one {@code NioDatagramChannel} per listener (plus, on plain UDP,
 * one connected socket per client address on the same port: {@link io.estuary.mqttsn.transport.ConnectedSockets}), all on one event loop,
 * which owns every client's state and is every session's {@code DeliverySink.executor()}. Decodes
 * datagrams, hands frames to the {@link io.estuary.mqttsn.channel.MqttSnDispatcher}, writes the
 * actions it returns, runs the timer tick and the periodic ADVERTISE. The only package that sees Netty.
 */
package io.estuary.mqttsn.transport;
