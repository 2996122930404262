package io.estuary.stomp.transport;

import io.estuary.api.GatewayContext;
import io.estuary.stomp.StompConfig;
import io.estuary.stomp.channel.StompChannel;
import io.estuary.stomp.channel.StompMetrics;
import io.estuary.stomp.channel.StompTransport;
import io.estuary.stomp.codec.DecodeResult;
import io.estuary.stomp.codec.StompCodec;
import io.estuary.stomp.codec.StompFrame;
import io.estuary.stomp.codec.StompVersion;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection: cumulates bytes, decodes frames with the codec and hands them to its {@link
 * StompChannel}; carries out what the channel asks (it is the channel's {@link StompTransport}).
 */
final class StompConnectionHandler extends ByteToMessageDecoder implements StompTransport {
  private static final Logger LOG = LoggerFactory.getLogger(StompConnectionHandler.class);
  private static final byte[] EOL = {'\n'};

  private final StompConfig config;
  private final GatewayContext context;
  private final StompCodec codec;
  private final StompMetrics metrics;
  private final String listener;
  private ChannelHandlerContext ctx;
  private StompChannel channel;
  private ScheduledFuture<?> timer;
  private boolean closing;

  private final boolean overQuota;

  /** @param overQuota accepted beyond the listener's max_connections: the CONNECT gets ERROR */
  StompConnectionHandler(StompConfig config, GatewayContext context, StompCodec codec, StompMetrics metrics,
      String listener, boolean overQuota) {
    this.overQuota = overQuota;
    this.config = config;
    this.context = context;
    this.codec = codec;
    this.metrics = metrics;
    this.listener = listener;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext c) {
    ctx = c;
    InetSocketAddress peer = (InetSocketAddress) c.channel().remoteAddress();
    channel = new StompChannel(config, context, this, metrics, c.channel().eventLoop(), listener, peer, null);
    if (overQuota) {
      channel.refuseForQuota();
    }
    channel.start();
  }

  /** Called on the event loop when the adapter stops. */
  void shutdown() {
    channel.shutdown();
  }

  @Override
  protected void decode(ChannelHandlerContext c, ByteBuf in, List<Object> out) {
    channel.handleRead();
    while (in.isReadable() && !closing) {
      ByteBuffer nio = in.nioBuffer(in.readerIndex(), in.readableBytes());
      DecodeResult r = codec.decode(nio, channel.decodeVersion());
      if (r instanceof DecodeResult.Decoded d) {
        in.skipBytes(d.consumed());
        channel.handleFrame(d.frame());
      } else if (r instanceof DecodeResult.HeartBeat h) {
        in.skipBytes(h.consumed());
      } else if (r instanceof DecodeResult.FrameError e) {
        in.skipBytes(in.readableBytes());
        channel.handleFrameError(e);
      } else {
        return; // need more
      }
    }
    if (closing) {
      in.skipBytes(in.readableBytes());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext c) throws Exception {
    cancelTimer();
    channel.handleClosed();
    super.channelInactive(c);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext c) throws Exception {
    channel.handleWritable(c.channel().isWritable());
    super.channelWritabilityChanged(c);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
    LOG.debug("stomp connection {}: {}", c.channel().remoteAddress(), cause.toString());
    c.close();
  }

  // ------------------------------------------------------------------ StompTransport

  @Override
  public void send(StompFrame frame, StompVersion version) {
    if (!closing) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(codec.encode(frame, version)), ctx.voidPromise());
    }
  }

  @Override
  public void sendHeartBeat() {
    if (!closing) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(EOL), ctx.voidPromise());
    }
  }

  @Override
  public void close() {
    if (!closing) {
      closing = true;
      cancelTimer();
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void readEnabled(boolean enabled) {
    ctx.channel().config().setAutoRead(enabled);
  }

  @Override
  public void armTimer(Duration delay) {
    cancelTimer();
    if (!closing) {
      timer = ctx.executor().schedule(channel::handleTick, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
