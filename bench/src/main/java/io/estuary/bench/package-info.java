/**
 * Load generators and benchmarks for Estuary. {@link io.estuary.bench.MqttLoad} is the command line of
 * the MQTT load tool (any MQTT 3.1.1 broker on host:port); its model lives in {@code bench.mqtt} and its
 * Netty clients in {@code bench.mqtt.transport}. The command runs on the main thread, which owns the run's
 * phases; nothing here is shared with the gateway at run time.
 */
package io.estuary.bench;
