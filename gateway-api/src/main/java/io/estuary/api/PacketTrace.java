package io.estuary.api;

/**
 * Where an adapter writes the packets of a traced client ({@code estuary ctl trace start client=ID}), from
 * {@link GatewayContext#trace(String)}. One line per packet: a decoded summary (type and header fields,
 * payload as its size, never a password). Thread-safe and non-blocking: lines are queued for a writer
 * thread of the core, dropped (and counted) when it falls behind.
 */
public interface PacketTrace {
  /** A packet received from the client. */
  void in(String packet);

  /** A packet sent to the client. */
  void out(String packet);
}
