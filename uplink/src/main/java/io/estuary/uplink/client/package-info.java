/**
 * The connection to the upstream broker: the only package that uses hivemq-mqtt-client. It keeps
 * one MQTT 3.1.1 or 5 client per uplink connected (exponential backoff with jitter between
 * attempts), subscribes upstream, and speaks only core.api types ({@code Message}) to the rest of the
 * module. Listener callbacks arrive on the client's threads except inbound messages, which arrive on
 * the executor the uplink passes in; the uplink hops everything else onto that executor itself.
 */
package io.estuary.uplink.client;
