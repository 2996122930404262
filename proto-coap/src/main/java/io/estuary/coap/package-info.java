/**
 * EMQX-compatible CoAP pub/sub gateway on Eclipse Californium: {@link io.estuary.coap.CoapAdapterFactory}
 * (protocol "coap"), its config record and the per-client-id device state. A {@link
 * io.estuary.coap.CoapDevice} (one broker session) is owned by its own serial executor; the registry of
 * devices is a concurrent map read from Californium's threads. Californium types stay inside this module.
 */
package io.estuary.coap;
