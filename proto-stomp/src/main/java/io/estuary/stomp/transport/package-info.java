/**
 * Netty glue of the STOMP gateway: listeners (tcp, ssl, ws, wss), the per-connection handler that feeds
 * the codec's frames to a {@code StompChannel} and runs what it asks (write, close, timers, read
 * pause). Netty types stay in this package. Each connection belongs to one event loop, which is also
 * its session's sink executor and the only thread touching its channel.
 */
package io.estuary.stomp.transport;
