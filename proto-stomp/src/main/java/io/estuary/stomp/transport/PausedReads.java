package io.estuary.stomp.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;

/**
 * First in a connection's pipeline: lets no read request through while the connection's reading is paused ({@code
 * autoRead} off: a rate, unanswered SENDs, an unwritable connection — {@link StompConnectionHandler}). Turning
 * {@code autoRead} off stops Netty's own read loop, but handlers ask for reads of their own ({@code ctx.read()}):
 * Netty's WebSocket handler after every Ping it answers, the decoders while a frame is under way. A client sending a
 * WebSocket Ping with each write would otherwise be read on, one read after another, into the decoder's cumulation.
 * Turning {@code autoRead} on again reads at once. Stateless: one instance for every connection.
 */
@io.netty.channel.ChannelHandler.Sharable
final class PausedReads extends ChannelOutboundHandlerAdapter {
  static final PausedReads INSTANCE = new PausedReads();

  private PausedReads() {
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    if (ctx.channel().config().isAutoRead()) {
      ctx.read();
    }
  }
}
