package io.estuary.mqtt.transport;

import io.estuary.api.GatewayContext;
import io.estuary.mqtt.MqttListenerConfig;
import io.estuary.mqtt.MqttListenerLimits;
import io.estuary.mqtt.channel.Action;
import io.estuary.mqtt.channel.MqttChannel;
import io.estuary.mqtt.channel.MqttListenerMetrics;
import io.estuary.api.PacketTrace;
import io.estuary.mqtt.codec.FrameSummary;
import io.estuary.mqtt.codec.MqttFrame;
import io.estuary.mqtt.codec.FrameError;
import io.estuary.mqtt.codec.NettyFrames;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty end of one MQTT connection: hands Netty's decoded messages, decoder failures, idle and
 * writability events to its {@link MqttChannel} and runs the {@link Action}s the channel returns.
 * Everything happens on the channel's event loop.
 *
 * <p>Exceptions are sorted: transport trouble (I/O, TLS, WebSocket, HTTP decoding) closes the
 * connection quietly; anything else, including an exception thrown by the channel or a packet the
 * encoder refuses, is the listener's bug and goes to {@link MqttChannel#handleInternalError} (counted
 * as {@code mqtt.errors{reason=internal}}).
 */
final class MqttConnectionHandler extends ChannelInboundHandlerAdapter {
  static final String IDLE_HANDLER = "idle";
  private static final Logger LOG = LoggerFactory.getLogger(MqttConnectionHandler.class);

  private final GatewayContext context;
  private final MqttListenerLimits limits;
  private final MqttListenerConfig listener;
  private final MqttListenerMetrics metrics;
  private final ReadGate gate;
  private final boolean overQuota;
  private ChannelHandlerContext ctx;
  private MqttChannel channel;
  /** The encoder refusing one of our packets is a bug, not a transport failure. */
  private final ChannelFutureListener encodeFailure = f -> {
    if (!f.isSuccess() && f.cause() instanceof EncoderException e) {
      channel.handleInternalError(e);
    }
  };

  /**
   * @param gate the connection's read gate (rates, backpressure, writability)
   * @param overQuota the listener was at {@code max_connections}: the CONNECT is refused with quota exceeded
   */
  MqttConnectionHandler(GatewayContext context, MqttListenerLimits limits, MqttListenerConfig listener, MqttListenerMetrics metrics,
      ReadGate gate, boolean overQuota) {
    this.gate = gate;
    this.overQuota = overQuota;
    this.context = context;
    this.limits = limits;
    this.listener = listener;
    this.metrics = metrics;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    InetSocketAddress peer = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a : null;
    channel = new MqttChannel(context, limits, listener, metrics, ctx.channel().eventLoop(), peer, this::run);
    gate.bind(ctx.channel(), this::handle, this::burstHandled);
    if (overQuota) {
      channel.refuseForQuota();
    }
    // a fixed deadline from the accept: the read-idle timer alone restarts with every byte of a trickled CONNECT
    if (!limits.idleTimeout().isZero()) {
      ctx.executor().schedule(() -> {
        if (channel.state() == MqttChannel.State.AWAIT_CONNECT) {
          channel.handleTimeout();
        }
      }, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Runs one action of the channel. */
  private void run(Action a) {
    if (a instanceof Action.Send s) {
      traceOut(s.frame());
      if (s.flush()) {
        ctx.writeAndFlush(NettyFrames.encode(s.frame())).addListener(encodeFailure);
      } else {
        ctx.write(NettyFrames.encode(s.frame())).addListener(encodeFailure);
      }
    } else if (a instanceof Action.Flush) {
      ctx.flush();
    } else if (a instanceof Action.SendThenClose s) {
      traceOut(s.frame());
      ctx.writeAndFlush(NettyFrames.encode(s.frame())).addListener(encodeFailure).addListener(ChannelFutureListener.CLOSE);
    } else if (a instanceof Action.Close) {
      ctx.channel().close();
    } else if (a instanceof Action.Reading r) {
      gate.hold(!r.on());
    } else if (a instanceof Action.KeepAlive k && ctx.pipeline().get(IDLE_HANDLER) != null) {
      ctx.pipeline().replace(IDLE_HANDLER, IDLE_HANDLER, new IdleStateHandler(k.readTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
    }
  }

  /** Writes a packet sent to a traced client into its trace (a map look-up otherwise). */
  private void traceOut(MqttFrame f) {
    PacketTrace t = context.trace(channel.clientId());
    if (t != null) {
      t.out(FrameSummary.of(f));
    }
  }

  /** Asks the channel to end the connection because the adapter stops. Call on the event loop. */
  void shutdown() {
    channel.handleShutdown();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof MqttMessage m)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    gate.offer(m);
  }

  /** One packet, once the read gate lets it through (its rates, backpressure). Releases it. */
  private void handle(MqttMessage m) {
    try {
      FrameError violation;
      if (m.decoderResult().isFailure()) {
        channel.handleFrameError(NettyFrames.error(m.decoderResult().cause()));
      } else if ((violation = NettyFrames.violation(m)) != null) {
        channel.handleFrameError(violation);
      } else if (channel.state() != MqttChannel.State.CLOSED) {
        MqttFrame f = NettyFrames.decode(m);
        PacketTrace t = context.trace(f instanceof MqttFrame.Connect c ? c.clientId() : channel.clientId());
        if (t != null) {
          t.in(FrameSummary.of(f));
        }
        channel.handleIn(f);
      }
    } catch (RuntimeException e) {
      channel.handleInternalError(e);
    } finally {
      ReferenceCountUtil.release(m);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    burstHandled();
    ctx.fireChannelReadComplete();
  }

  /** The packets of one read (or of the read gate's backlog) are handled: their acknowledgements go to the session. */
  private void burstHandled() {
    try {
      channel.handleReadComplete();
    } catch (RuntimeException e) {
      channel.handleInternalError(e);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      if (gate.throttled() && channel.state() == MqttChannel.State.CONNECTED) {
        return; // we stopped reading: the client's silence is ours
      }
      try {
        channel.handleTimeout();
      } catch (RuntimeException e) {
        channel.handleInternalError(e);
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  /**
   * Not writable (Netty's outbound buffer over its high water mark): no more deliveries, and no more reading — each
   * request read would add an answer (PINGRESP, PUBACK, SUBACK) to a buffer the client does not empty. Writable
   * again (under the low water mark): both resume.
   */
  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    boolean writable = ctx.channel().isWritable();
    if (!writable && LOG.isDebugEnabled()) {
      LOG.debug("{} {} {}: not writable (the client does not read what it is sent), reading paused", listener.id(),
          channel.clientId(), ctx.channel().remoteAddress());
    }
    gate.writable(writable);
    channel.handleWritable(writable);
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    gate.closed();
    channel.handleClosed();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException || cause instanceof DecoderException || cause instanceof WebSocketHandshakeException) {
      channel.handleTransportError(cause);
    } else {
      channel.handleInternalError(cause);
    }
  }
}
