package io.estuary.tcp.transport;

import io.estuary.api.Metrics;
import io.estuary.tcp.TcpConfig;
import io.estuary.tcp.channel.Action;
import io.estuary.tcp.channel.DeviceChannel;
import io.estuary.tcp.channel.DropLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Consumer;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The Netty end of one device connection. It starts its {@link DeviceChannel} once the transport is ready (PROXY
 * header read, TLS handshake done), feeds it the bytes it reads — decoding straight from Netty's buffer when nothing
 * is left over, keeping only the start of an unfinished frame — and runs the channel's {@link Action}s. Bytes the
 * channel does not take (while its session opens) are bounded. Everything runs on the connection's event loop.
 */
final class TcpConnectionHandler extends ChannelInboundHandlerAdapter {
  static final String IDLE = "idle";

  private final TcpConfig.Listener listener;
  private final Function<Consumer<Action>, DeviceChannel> channels;
  private final DropLog drops;
  private final Metrics.Counter bytesIn;
  private final Metrics.Counter bytesOut;
  private final int bufferLimit;
  private final java.time.Duration loginDeadline;
  private ChannelHandlerContext ctx;
  private DeviceChannel channel;
  private ByteBuf held;
  private boolean active;
  private boolean proxyDone;
  private boolean tlsDone;
  private boolean started;
  private InetSocketAddress peer;
  private String certificateCn;
  private ScheduledFuture<?> proxyTimeout;

  /**
   * @param channels makes the connection's channel from its action consumer
   * @param bufferLimit the most unconsumed bytes kept (a frame's maximum plus slack)
   * @param loginDeadline the device must have logged in (CONNECT, hello frame) this long after connecting, however
   *     it trickles bytes (the read-idle timer alone restarts with every byte)
   */
  TcpConnectionHandler(TcpConfig.Listener listener, Function<Consumer<Action>, DeviceChannel> channels, DropLog drops,
      Metrics metrics, int bufferLimit, java.time.Duration loginDeadline) {
    this.listener = listener;
    this.channels = channels;
    this.drops = drops;
    this.bytesIn = metrics.counter(Metrics.BYTES_RECEIVED);
    this.bytesOut = metrics.counter(Metrics.BYTES_SENT);
    this.bufferLimit = bufferLimit;
    this.loginDeadline = loginDeadline;
    this.proxyDone = !listener.proxyProtocol();
    this.tlsDone = listener.tls() == null;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    channel = channels.apply(this::run);
    peer = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a : null;
    ctx.executor().schedule(() -> {
      DeviceChannel.State st = channel.state();
      if (st == DeviceChannel.State.WAITING || st == DeviceChannel.State.CONNECTING) {
        channel.handleTimeout();
        ctx.close();
      }
    }, loginDeadline.toMillis(), TimeUnit.MILLISECONDS);
    if (!proxyDone) {
      proxyTimeout = ctx.executor().schedule(() -> {
        if (!proxyDone) {
          drops.log(listener.id(), null, peer, "no PROXY protocol header within " + listener.proxyProtocolTimeout());
          ctx.close();
        }
      }, listener.proxyProtocolTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    active = true;
    maybeStart();
    ctx.fireChannelActive();
  }

  private void maybeStart() {
    if (started || !active || !proxyDone || !tlsDone) {
      return;
    }
    started = true;
    channel.start(peer, certificateCn);
    decodeHeld();
  }

  /** Runs one action of the channel. */
  private void run(Action a) {
    if (a instanceof Action.Send s) {
      bytesOut.increment(s.bytes().length);
      if (s.written() == null) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(s.bytes()), ctx.voidPromise());
      } else {
        Runnable written = s.written();
        ctx.writeAndFlush(Unpooled.wrappedBuffer(s.bytes())).addListener(f -> {
          if (f.isSuccess()) {
            written.run();
          }
        });
      }
    } else if (a instanceof Action.SendThenClose s) {
      bytesOut.increment(s.bytes().length);
      ctx.writeAndFlush(Unpooled.wrappedBuffer(s.bytes())).addListener(ChannelFutureListener.CLOSE);
    } else if (a instanceof Action.Close) {
      ctx.channel().close();
    } else if (a instanceof Action.Resume) {
      ctx.executor().execute(this::decodeHeld);
    } else if (a instanceof Action.Pause p) {
      ctx.channel().config().setAutoRead(false);
      ctx.executor().schedule(this::resume, p.nanos(), TimeUnit.NANOSECONDS);
    } else if (a instanceof Action.KeepAlive k) {
      if (k.readTimeout().isZero()) {
        if (ctx.pipeline().get(IDLE) != null) {
          ctx.pipeline().remove(IDLE);
        }
      } else if (ctx.pipeline().get(IDLE) != null) {
        ctx.pipeline().replace(IDLE, IDLE, new IdleStateHandler(k.readTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
      } else {
        ctx.pipeline().addBefore(ctx.name(), IDLE, new IdleStateHandler(k.readTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
      }
    }
  }

  /** A rate's pause is over: what was read meanwhile is decoded, in order, then reading goes on unless it paused again. */
  private void resume() {
    if (channel.state() == DeviceChannel.State.CLOSED) {
      return;
    }
    channel.handleResumed();
    readAgain();
  }

  /** Decodes what is held, then reads again unless the channel paused (a rate, not writable) or closed meanwhile. */
  private void readAgain() {
    decodeHeld();
    if (!channel.paused() && channel.state() != DeviceChannel.State.CLOSED) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HAProxyMessage h) {
      try {
        onProxyHeader(h);
      } finally {
        h.release();
      }
      return;
    }
    if (!(msg instanceof ByteBuf in)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    try {
      bytesIn.increment(in.readableBytes());
      if (!started || (held != null && held.isReadable())) {
        hold(in);
        if (started) {
          decodeHeld();
        }
      } else {
        int consumed = decode(in);
        in.skipBytes(consumed);
        if (in.isReadable() && channel.state() != DeviceChannel.State.CLOSED) {
          hold(in);
        }
      }
    } catch (RuntimeException e) {
      channel.handleInternalError(e);
    } finally {
      in.release();
    }
  }

  private void onProxyHeader(HAProxyMessage h) {
    if (proxyTimeout != null) {
      proxyTimeout.cancel(false);
    }
    // LOCAL (a load balancer's health check) carries no addresses: the connection is the proxy's own
    if (h.command() == HAProxyCommand.PROXY && h.sourceAddress() != null) {
      peer = new InetSocketAddress(h.sourceAddress(), h.sourcePort());
    }
    proxyDone = true;
    maybeStart();
  }

  private int decode(ByteBuf b) {
    ByteBuffer nio = b.nioBuffer(b.readerIndex(), b.readableBytes());
    return channel.handleBytes(nio);
  }

  private void hold(ByteBuf in) {
    if (held == null) {
      held = ctx.alloc().heapBuffer(Math.max(256, in.readableBytes()));
    }
    held.writeBytes(in);
    if (held.readableBytes() > bufferLimit) {
      drops.log(listener.id(), channel.clientId(), peer, held.readableBytes() + " bytes buffered while the session opens");
      ctx.close();
    }
  }

  private void decodeHeld() {
    if (held == null || !held.isReadable() || channel.state() == DeviceChannel.State.CLOSED) {
      return;
    }
    try {
      held.skipBytes(decode(held));
      held.discardSomeReadBytes();
    } catch (RuntimeException e) {
      channel.handleInternalError(e);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      channel.handleTimeout();
      return;
    }
    if (evt instanceof SslHandshakeCompletionEvent e) {
      if (e.isSuccess()) {
        certificateCn = clientCertificateCn(ctx.pipeline().get(SslHandler.class));
        tlsDone = true;
        maybeStart();
      } else {
        drops.log(listener.id(), null, peer, "TLS handshake failed: " + e.cause().getMessage());
      }
    }
    ctx.fireUserEventTriggered(evt);
  }

  /** The CN of the client certificate the TLS handshake verified, or null. */
  private static String clientCertificateCn(SslHandler ssl) {
    if (ssl == null) {
      return null;
    }
    try {
      Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate x) {
        for (Rdn rdn : new LdapName(x.getSubjectX500Principal().getName()).getRdns()) {
          if (rdn.getType().equalsIgnoreCase("CN")) {
            return rdn.getValue().toString();
          }
        }
      }
    } catch (SSLPeerUnverifiedException e) {
      return null; // verify_peer without fail_if_no_peer_cert: no certificate
    } catch (javax.naming.InvalidNameException e) {
      return null;
    }
    return null;
  }

  /**
   * Not writable: the channel stops decoding and we stop reading (bytes already read are held), so a device that
   * does not read cannot make us queue an answer for every frame it sends. Writable again: what is held is decoded
   * later on the loop (Netty reports writability while it writes), then reading resumes unless a rate holds it.
   */
  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    boolean writable = ctx.channel().isWritable();
    channel.handleWritable(writable);
    if (!writable) {
      ctx.channel().config().setAutoRead(false);
    } else {
      ctx.executor().execute(() -> {
        if (ctx.channel().isWritable() && channel.state() != DeviceChannel.State.CLOSED) {
          readAgain();
        }
      });
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (proxyTimeout != null) {
      proxyTimeout.cancel(false);
    }
    if (held != null) {
      held.release();
      held = null;
    }
    channel.handleClosed();
    ctx.fireChannelInactive();
  }

  /** The adapter stops: ends the connection on its event loop. */
  void shutdown() {
    channel.handleShutdown();
    ctx.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException || cause instanceof DecoderException) {
      drops.log(listener.id(), channel.clientId(), peer, "transport: " + cause.getMessage());
      ctx.close();
    } else {
      channel.handleInternalError(cause);
    }
  }
}
