/**
 * Netty glue for the MQTT listeners: the tcp/ssl/ws/wss pipelines ({@link
 * io.estuary.mqtt.transport.MqttAdapter}), TLS contexts, MQTT over WebSocket frames, byte counting,
 * and the handler that feeds Netty's decoded messages to a connection's {@code MqttChannel} and runs
 * the actions it returns. Each connection is owned by its event loop, which is also the executor of
 * its session's sink. With {@code io.estuary.mqtt.codec}, the only package that sees Netty.
 */
package io.estuary.mqtt.transport;
