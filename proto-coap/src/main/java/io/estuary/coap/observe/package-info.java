/**
 * Observe relations (RFC 7641) as MQTT subscriptions: one {@link io.estuary.coap.observe.Observer} per
 * relation sends its notifications one at a time (Californium would otherwise replace a notification
 * still in flight with the newest, losing messages), with per-relation observe sequence numbers.
 * An observer's state is owned by its device's serial executor; Californium's send callbacks hop
 * back onto it. {@link io.estuary.coap.observe.Ping} sends the CoAP ping whose answer proves a connectionless
 * observer's address (half_open_timeout); its callback hops back onto the device's executor too.
 */
package io.estuary.coap.observe;
