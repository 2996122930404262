package io.estuary.api;

/** What a client wants to do with a topic, for {@link GatewayContext#authorize}. */
public enum Access {
  PUBLISH,
  /** Subscribing, and every read of a topic's messages (a CoAP retained read, an observe). */
  SUBSCRIBE
}
