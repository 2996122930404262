package io.estuary.stomp.transport;

import io.estuary.api.GatewayContext;
import io.estuary.api.Metrics;
import io.estuary.api.limits.TokenBucket;
import io.estuary.stomp.StompConfig;
import io.estuary.stomp.channel.StompChannel;
import io.estuary.stomp.channel.StompMetrics;
import io.estuary.stomp.channel.StompTransport;
import io.estuary.stomp.codec.DecodeResult;
import io.estuary.stomp.codec.Command;
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
 *
 * <p>Per-client rates ({@code messages_rate}, {@code bytes_rate}): each frame takes its size from the bytes bucket
 * and each SEND one token from the messages bucket ({@link TokenBucket#take}); in debt, decoding stops and the
 * connection stops reading ({@code autoRead} off) — the bytes already read wait, in order, in the decoder's
 * cumulation (at most one socket read) — until the debt is paid. Nothing is dropped: the client's TCP window
 * fills and it slows down. The same happens while the connection is not writable (Netty's outbound buffer over its
 * high water mark): a client that does not read what it is sent must not make the gateway queue a RECEIPT or ERROR
 * for every frame it keeps sending. Each reason (a rate, unanswered SENDs, unwritable) holds on its own; reading
 * resumes only when none holds. Everything runs on the connection's event loop.
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
  /** Closing: the socket is closed at this deadline even if the last frames were not written (the client does not read). */
  private ScheduledFuture<?> closeDeadline;
  private boolean closing;

  private final boolean overQuota;
  /** The listener's per-client rates; null when infinite. */
  private final TokenBucket bytes;
  private final TokenBucket messages;
  /** Over a rate: nothing is decoded or read until {@link #resume}. */
  private ScheduledFuture<?> ratePause;
  /** What the channel asked for ({@link #readEnabled}): false while too many of its publishes are unanswered. */
  private boolean channelReads = true;
  /** The connection is not writable: nothing is decoded or read until it is again. */
  private boolean unwritable;

  /** @param overQuota accepted beyond the listener's max_connections: the CONNECT gets ERROR */
  StompConnectionHandler(StompConfig config, GatewayContext context, StompCodec codec, StompMetrics metrics,
      StompConfig.Listener listener, boolean overQuota) {
    this(config, context, codec, metrics, listener.id(), overQuota, listener.messagesRate(), listener.bytesRate());
  }

  private StompConnectionHandler(StompConfig config, GatewayContext context, StompCodec codec, StompMetrics metrics,
      String listener, boolean overQuota, io.estuary.api.limits.Rate messagesRate,
      io.estuary.api.limits.Rate bytesRate) {
    this.messages = messagesRate.isInfinite() ? null : TokenBucket.of(messagesRate);
    this.bytes = bytesRate.isInfinite() ? null : TokenBucket.of(bytesRate);
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
    while (in.isReadable() && !closing && ratePause == null && !unwritable) {
      ByteBuffer nio = in.nioBuffer(in.readerIndex(), in.readableBytes());
      DecodeResult r = codec.decode(nio, channel.decodeVersion());
      if (r instanceof DecodeResult.Decoded d) {
        in.skipBytes(d.consumed());
        channel.handleFrame(d.frame());
        pace(d.consumed(), d.frame().command() == Command.SEND);
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

  /** Charges one frame to the rates; in debt, stops decoding and reading until it is paid. */
  private void pace(long size, boolean send) {
    if (bytes == null && messages == null) {
      return;
    }
    long pause = 0;
    Metrics.Counter reason = null;
    if (bytes != null) {
      pause = bytes.take(size);
      reason = metrics.bytesRatePauses;
    }
    if (send && messages != null) {
      long p = messages.take(1);
      if (p > pause) {
        pause = p;
        reason = metrics.messagesRatePauses;
      }
    }
    if (pause > 0 && ratePause == null && !closing) {
      reason.increment();
      ratePause = ctx.executor().schedule(this::resume, pause, TimeUnit.NANOSECONDS);
      updateAutoRead();
    }
  }

  /** The rate's debt is paid: what waits in the cumulation is decoded, then reading goes on unless it paused again. */
  private void resume() {
    ratePause = null;
    if (closing || !ctx.channel().isActive()) {
      return;
    }
    channel.handleRead(); // the client was not silent: we did not read
    decodeWaiting();
  }

  /** Decodes what waits in the cumulation (it may pause again), then reads again unless some reason still holds. */
  private void decodeWaiting() {
    if (closing || !ctx.channel().isActive()) {
      return;
    }
    if (internalBuffer().isReadable()) {
      try {
        channelRead(ctx, Unpooled.EMPTY_BUFFER); // decodes the cumulation (and may pause again)
      } catch (Exception e) {
        exceptionCaught(ctx, e);
      }
    }
    updateAutoRead();
  }

  private void updateAutoRead() {
    boolean throttled = !channelReads || ratePause != null;
    boolean on = !throttled && !unwritable;
    if (ctx.channel().config().isAutoRead() != on) {
      ctx.channel().config().setAutoRead(on);
    }
    // only our own pauses spare the client its heart-beat: while it does not read, its silence is its own
    channel.handleReadPaused(throttled);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext c) throws Exception {
    if (ratePause != null || !channelReads || unwritable) {
      // ByteToMessageDecoder asks for one more read when autoRead is off and it passed nothing on (we never do):
      // without this, reading would never stop, for a rate, too many unanswered SENDs or an unwritable connection
      c.fireChannelReadComplete();
      return;
    }
    super.channelReadComplete(c);
  }

  @Override
  public void channelInactive(ChannelHandlerContext c) throws Exception {
    if (ratePause != null) {
      ratePause.cancel(false);
      ratePause = null;
    }
    cancelTimer();
    if (closeDeadline != null) {
      closeDeadline.cancel(false);
      closeDeadline = null;
    }
    channel.handleClosed();
    super.channelInactive(c);
  }

  /**
   * Not writable: no more deliveries, and nothing more decoded or read (each frame could add a RECEIPT the client does
   * not take). Writable again: what waits in the cumulation is decoded later on the loop (Netty reports writability
   * while it writes), then reading resumes unless another reason holds.
   */
  @Override
  public void channelWritabilityChanged(ChannelHandlerContext c) throws Exception {
    boolean writable = c.channel().isWritable();
    if (!writable && !unwritable) {
      unwritable = true;
      metrics.unwritablePauses.increment();
      LOG.debug("stomp {} at {}: not writable (the client does not read what it is sent), reading paused",
          channel.clientId(), c.channel().remoteAddress());
      updateAutoRead();
    } else if (writable && unwritable) {
      unwritable = false;
      c.executor().execute(() -> {
        if (!unwritable) {
          decodeWaiting();
        }
      });
    }
    channel.handleWritable(writable);
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
      // the last frames (an ERROR) go out once the client reads them; one that never reads does not keep the
      // connection (and its slot under max_connections) for ever: it gets idle_timeout, then the socket is closed
      if (ctx.channel().isActive()) {
        closeDeadline = ctx.executor().schedule(() -> ctx.close(), config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  @Override
  public void readEnabled(boolean enabled) {
    channelReads = enabled;
    updateAutoRead();
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
