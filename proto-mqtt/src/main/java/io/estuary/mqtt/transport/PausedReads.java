package io.estuary.mqtt.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;

/**
 * First in a connection's pipeline: lets no read request through while its {@link ReadGate} stops reading. Turning
 * {@code autoRead} off stops Netty's own read loop, but handlers ask for reads of their own ({@code ctx.read()}):
 * Netty's WebSocket handler after every Ping it answers, the decoders while a frame or packet is under way. A client
 * sending a WebSocket Ping with each write would otherwise be read on, one read after another, into what the gate
 * holds. Reading resumes when the gate turns {@code autoRead} on again. One per connection; its event loop.
 */
final class PausedReads extends ChannelOutboundHandlerAdapter {
  private final ReadGate gate;

  PausedReads(ReadGate gate) {
    this.gate = gate;
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    if (!gate.paused()) {
      ctx.read();
    }
  }
}
