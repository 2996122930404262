/**
 * The MQTT-SN 1.2 gateway: {@link io.estuary.mqttsn.MqttSnAdapterFactory} (found by ServiceLoader) and
 * its typed, validated {@link io.estuary.mqttsn.MqttSnConfig}. Config is immutable and read once at
 * start from the gateway's main thread; the per-client state lives in {@code .channel} and is owned by
 * the transport's single Netty event loop.
 */
package io.estuary.mqttsn;
