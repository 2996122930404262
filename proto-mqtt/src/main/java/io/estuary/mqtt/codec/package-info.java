/**
 * The MQTT codec is Netty's ({@code io.netty.handler.codec.mqtt}, the library); this package only
 * translates its messages to and from {@link io.estuary.mqtt.codec.MqttFrame} values and its decoder
 * failures to {@link io.estuary.mqtt.codec.FrameError}, so that the state machine never sees Netty.
 * Stateless functions; called on the connection's event loop.
 */
package io.estuary.mqtt.codec;
