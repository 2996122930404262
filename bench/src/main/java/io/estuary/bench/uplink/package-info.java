/**
 * Uplink benchmarks against a local mosquitto on 127.0.0.1: forward throughput (MQTT publishers on an
 * in-process Estuary → uplink → mosquitto → a counting subscriber) and the drain time of a backlog
 * buffered during an upstream outage. Single-threaded driver ({@link io.estuary.bench.uplink.UplinkBench#main});
 * client callbacks only touch atomics.
 */
package io.estuary.bench.uplink;
