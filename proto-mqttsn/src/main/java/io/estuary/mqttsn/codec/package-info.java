/**
 * The MQTT-SN 1.2 wire format: {@link io.estuary.mqttsn.codec.MqttSnCodec} turns one datagram into a
 * sealed {@link io.estuary.mqttsn.codec.MqttSnFrame} record (or a {@link
 * io.estuary.mqttsn.codec.DecodeResult.FrameError}) and back. Pure functions without state or threads:
 * safe from any thread, never throws on device input, which is what makes it fuzzable.
 */
package io.estuary.mqttsn.codec;
