/**
 * Pure CoAP ↔ MQTT mapping, no sockets and no state: URI path ↔ topic, query ↔ publish/subscribe
 * parameters, CoAP content-format ↔ MQTT 5 content type, topic-filter matching. Every parser returns
 * a {@link io.estuary.coap.mapping.Parsed} value; device input never throws. Stateless, so any thread.
 */
package io.estuary.coap.mapping;
