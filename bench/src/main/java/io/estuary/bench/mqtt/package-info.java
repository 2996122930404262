/**
 * The MQTT load tool's model, free of Netty: the run's settings ({@link io.estuary.bench.mqtt.LoadConfig}),
 * who publishes to whom ({@link io.estuary.bench.mqtt.Topology}), per-client tallies written by one event
 * loop each ({@link io.estuary.bench.mqtt.SubscriberTally}, {@link io.estuary.bench.mqtt.PublisherTally})
 * and their aggregation into one {@link io.estuary.bench.mqtt.RunSummary}, read by the main thread after
 * the clients have stopped.
 */
package io.estuary.bench.mqtt;
