/**
 * Netty glue of the TCP gateway: listeners (plain and TLS, optional PROXY protocol v1/v2 header, connection caps),
 * the per-connection handler that feeds bytes to a {@code DeviceChannel} and runs its actions, and TLS contexts.
 * The only package of proto-tcp that uses Netty. A connection's state belongs to its event loop.
 */
package io.estuary.tcp.transport;
