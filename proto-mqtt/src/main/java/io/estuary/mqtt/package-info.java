/**
 * The MQTT 3.1/3.1.1/5 listeners as a protocol adapter: {@link io.estuary.mqtt.MqttAdapterFactory}
 * (found by ServiceLoader) and the listener's config records, bound from the root config view
 * ({@code listeners.*}, {@code mqtt.*}). Immutable values, safe from any thread. Sub-packages: {@code
 * codec} (Netty's MQTT codec ↔ our frames), {@code channel} (the connection state machine, no Netty),
 * {@code transport} (Netty pipelines and the handler that runs the channel's actions).
 */
package io.estuary.mqtt;
