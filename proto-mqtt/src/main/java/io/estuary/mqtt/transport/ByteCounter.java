package io.estuary.mqtt.transport;

import io.estuary.api.Metrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/** Counts raw bytes in and out of every MQTT connection ({@code estuary_bytes_*_total{protocol="mqtt"}}). */
@ChannelHandler.Sharable
final class ByteCounter extends ChannelDuplexHandler {
  private final Metrics.Counter in;
  private final Metrics.Counter out;

  ByteCounter(Metrics metrics) {
    in = metrics.counter(Metrics.BYTES_RECEIVED);
    out = metrics.counter(Metrics.BYTES_SENT);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf b) {
      in.increment(b.readableBytes());
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf b) {
      out.increment(b.readableBytes());
    }
    ctx.write(msg, promise);
  }
}
