/**
 * Observe relations (RFC 7641) as MQTT subscriptions: one {@link io.estuary.coap.observe.Observer} per
 * relation sends its notifications one at a time (Californium would otherwise replace a notification
 * still in flight with the newest, losing messages), with per-relation observe sequence numbers.
 * An observer's state is owned by its device's serial executor; Californium's send callbacks hop
 * back onto it.
 */
package io.estuary.coap.observe;
