/**
 * Uplinks: bridges from Estuary to upstream MQTT brokers (EMQX, HiveMQ, Mosquitto), configured under
 * {@code uplink.<name>}. {@link io.estuary.uplink.UplinkAdapterFactory} is the ServiceLoader entry;
 * each {@link io.estuary.uplink.Uplink} owns one persistent broker session and one upstream client,
 * and keeps all its state on its own serial executor. docs/uplink.md describes the behaviour.
 */
package io.estuary.uplink;
