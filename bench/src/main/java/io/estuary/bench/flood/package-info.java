/**
 * The flood benchmark (issue #13, item 6): {@link io.estuary.bench.flood.FloodBench} runs 100 well-behaved
 * MQTT-SN QoS 1 publishers ({@link io.estuary.bench.flood.GoodClients}, one thread, one selector) into one
 * hivemq-mqtt-client subscriber ({@link io.estuary.bench.flood.GoodSubscriber}, its callbacks on the client's
 * event loop), first alone (the baseline) and then beside a flood of spoofed-style MQTT-SN CONNECTs, garbage
 * datagrams and CoAP requests sent from many loopback source addresses ({@link io.estuary.bench.flood.Flood},
 * each flood thread owns its own sockets), while {@link io.estuary.bench.flood.GatewayProbe} samples the gateway
 * process (its /metrics, its RSS, whether it is alive) once a second on a probe thread, and on the main thread
 * while it waits for the flood's sessions to go (sample() is synchronized). Frames are built by hand in
 * {@link io.estuary.bench.flood.FloodFrames}, independent of the gateway's codecs. Script: bench/flood-bench.sh.
 */
package io.estuary.bench.flood;
