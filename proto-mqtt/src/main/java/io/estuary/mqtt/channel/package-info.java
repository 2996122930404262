/**
 * The MQTT connection state machine ({@link io.estuary.mqtt.channel.MqttChannel}): frames, decoder
 * failures, timer and broker events in, {@link io.estuary.mqtt.channel.Action}s out. No sockets, no
 * Netty. Every method of a channel, and every continuation it registers on the broker's stages, runs
 * on one thread: the connection's event loop, which is also the {@code DeliverySink.executor()} of the
 * client's session. {@code credits()} and {@code attributes()} read volatile fields from any thread.
 */
package io.estuary.mqtt.channel;
