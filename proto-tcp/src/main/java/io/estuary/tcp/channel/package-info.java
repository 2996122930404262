/**
 * The per-connection state machines of the TCP gateway: {@link io.estuary.tcp.channel.EmqxChannel} for EMQX's framing
 * and {@link io.estuary.tcp.channel.RawChannel} for the configurable framings, both on {@link
 * io.estuary.tcp.channel.DeviceChannel} (authentication, the device's core session, downlink). Bytes, timeouts and
 * transport events go in; {@link io.estuary.tcp.channel.Action}s come out. No sockets.
 *
 * <p>Threads: a channel's state is owned by its connection's executor (the Netty event loop), which is also its
 * {@code DeliverySink} executor; the authenticator's answer is handed back to it. Only {@code credits()} and {@code
 * attributes()} are read from other threads (volatile fields, immutable values).
 */
package io.estuary.tcp.channel;
