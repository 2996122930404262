/**
 * The MQTT load tool's Netty clients: raw MQTT 3.1.1 publishers and subscribers on Netty's MQTT codec
 * (no client library, so the tool spends its CPU on the broker's traffic), and {@link
 * io.estuary.bench.mqtt.transport.LoadRun}, which connects them and walks the run through its phases.
 * Each client's state belongs to its channel's event loop; the main thread only starts, stops and reads
 * snapshots taken on that loop.
 */
package io.estuary.bench.mqtt.transport;
