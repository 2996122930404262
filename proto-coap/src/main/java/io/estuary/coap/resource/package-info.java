/**
 * Californium resources, the thin transport glue: {@code /mqtt/connection} and {@code /ps/{topic…}}.
 * Handlers run on Californium's protocol threads, parse with {@code io.estuary.coap.mapping}, and hand
 * every session call to the device's serial executor; responses are sent from whichever thread
 * completes the work (Californium allows that).
 */
package io.estuary.coap.resource;
