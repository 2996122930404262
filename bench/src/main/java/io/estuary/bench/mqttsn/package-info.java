/**
 * MQTT-SN load and footprint: N MQTT-SN clients over raw UDP datagrams (hand-encoded here, independent of
 * the gateway's codec) publishing QoS 0 / QoS 1 through an in-process Estuary to a bare MQTT 3.1.1
 * subscriber (end-to-end msgs/s and latency), and the heap per connected and per sleeping idle client.
 * Main class {@link io.estuary.bench.mqttsn.MqttSnBench}; script {@code bench/mqttsn-bench.sh}. Each
 * client thread owns its clients' sockets and one selector; the counters are atomics read by the main
 * thread. Everything binds 127.0.0.1.
 */
package io.estuary.bench.mqttsn;
