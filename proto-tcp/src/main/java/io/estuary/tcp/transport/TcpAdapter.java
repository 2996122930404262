package io.estuary.tcp.transport;

import io.estuary.api.AdapterStatus;
import io.estuary.api.GatewayContext;
import io.estuary.api.ListenerInfo;
import io.estuary.api.ProtocolAdapter;
import io.estuary.api.limits.TokenBucket;
import io.estuary.tcp.TcpConfig;
import io.estuary.tcp.channel.Action;
import io.estuary.tcp.channel.DeviceChannel;
import io.estuary.tcp.channel.DropLog;
import io.estuary.tcp.channel.EmqxChannel;
import io.estuary.tcp.channel.RawChannel;
import io.estuary.tcp.channel.TcpMetrics;
import io.estuary.tcp.codec.EmqxTcpCodec;
import io.estuary.tcp.codec.Framing;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP gateway's listeners on Netty: one boss thread accepts, a worker group owns the connections (each
 * connection belongs to one event loop, which is also its device session's sink executor). Connections beyond a
 * listener's {@code max_connections} are closed at accept and counted.
 */
public final class TcpAdapter implements ProtocolAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(TcpAdapter.class);
  static final String PROTOCOL = "tcp";

  private final GatewayContext context;
  private final TcpConfig config;
  private final BiFunction<String, String, IllegalArgumentException> invalidConfig;
  private final TcpMetrics metrics;
  private final DropLog drops;
  /** At most this many connections beyond max_connections wait for their CONNECT to be refused; more are closed. */
  private static final int MAX_REFUSING = 1024;

  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  /** EMQX-framing connections accepted beyond max_connections, waiting for the CONNECT that gets AUTHFAILED. */
  private final ChannelGroup refusing = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final List<Channel> servers = new ArrayList<>();
  private final List<ListenerInfo> bound = new ArrayList<>();
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private volatile AdapterStatus status = AdapterStatus.STOPPED;

  /** @param invalidConfig builds the error for a bad key (relative key, expected): TLS files are checked at start */
  public TcpAdapter(GatewayContext context, TcpConfig config, BiFunction<String, String, IllegalArgumentException> invalidConfig) {
    this.context = context;
    this.config = config;
    this.invalidConfig = invalidConfig;
    this.metrics = new TcpMetrics(context.metrics());
    this.drops = new DropLog(context.clock(), 10_000);
    context.metrics().gauge("connections", channels::size);
  }

  @Override
  public CompletionStage<Void> start() {
    status = AdapterStatus.STARTING;
    boss = new NioEventLoopGroup(1, new DefaultThreadFactory("estuary-tcp-accept", true));
    workers = new NioEventLoopGroup(0, new DefaultThreadFactory("estuary-tcp", true));
    try {
      for (TcpConfig.Listener l : config.listeners()) {
        bind(l);
      }
    } catch (RuntimeException e) {
      status = AdapterStatus.FAILED;
      servers.forEach(Channel::close);
      shutdownGroups();
      return CompletableFuture.failedFuture(e);
    }
    status = AdapterStatus.RUNNING;
    return CompletableFuture.completedFuture(null);
  }

  private void bind(TcpConfig.Listener l) {
    SslContext ssl = l.tls() != null ? TlsContexts.server(l, invalidConfig) : null;
    ChannelGroup mine = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    TokenBucket connRate = TokenBucket.of(l.maxConnRate());
    // admitted connections of this listener, counted at admission (initChannel runs on several worker threads at once,
    // so a group's size checked there let two concurrent accepts both pass the last slot)
    java.util.concurrent.atomic.AtomicInteger admitted = new java.util.concurrent.atomic.AtomicInteger();
    ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (!connRate.tryAcquire(1)) {
              metrics.rateLimitedConnections.increment();
              drops.log(l.id(), null, ch.remoteAddress(), "max_conn_rate " + l.maxConnRate() + " reached");
              ch.close();
              return;
            }
            boolean overQuota = admitted.incrementAndGet() > l.maxConnections();
            if (overQuota) {
              admitted.decrementAndGet();
            } else {
              ch.closeFuture().addListener(x -> admitted.decrementAndGet());
            }
            if (overQuota) {
              metrics.rejectedConnections.increment();
              drops.log(l.id(), null, ch.remoteAddress(), "max_connections " + l.maxConnections() + " reached");
              // EMQX framing: the CONNECT gets CONNACK AUTHFAILED; other framings have no refusal to send
              if (l.framing() != null || refusing.size() >= MAX_REFUSING) {
                ch.close();
                return;
              }
              refusing.add(ch);
            } else {
              mine.add(ch);
              channels.add(ch);
            }
            pipeline(ch, l, ssl, overQuota);
          }
        });
    ChannelFuture f = b.bind(l.bind()).awaitUninterruptibly();
    if (!f.isSuccess()) {
      throw new IllegalStateException("listener tcp " + l.id() + " cannot bind " + l.bind().getHostString() + ":"
          + l.bind().getPort() + ": " + f.cause().getMessage(), f.cause());
    }
    servers.add(f.channel());
    bound.add(new ListenerInfo(PROTOCOL, l.id(), (InetSocketAddress) f.channel().localAddress(), ssl != null));
    LOG.info("tcp gateway {} speaks {} framing{}", l.id(), l.framingName(), l.proxyProtocol() ? " behind a PROXY protocol header" : "");
  }

  private void pipeline(SocketChannel ch, TcpConfig.Listener l, SslContext ssl, boolean overQuota) {
    ChannelPipeline p = ch.pipeline();
    p.addLast(new FlushConsolidationHandler(256, true));
    if (l.proxyProtocol()) {
      p.addLast("proxy", new HAProxyMessageDecoder()); // removes itself after the header; v1 and v2
    }
    if (ssl != null) {
      p.addLast("tls", ssl.newHandler(ch.alloc()));
    }
    p.addLast(TcpConnectionHandler.IDLE, new IdleStateHandler(config.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
    p.addLast("device", new TcpConnectionHandler(l, actions -> channel(l, ch, actions, overQuota), drops, context.metrics(), bufferLimit(l),
        config.idleTimeout()));
  }

  private DeviceChannel channel(TcpConfig.Listener l, SocketChannel ch, Consumer<Action> actions, boolean overQuota) {
    if (l.framing() != null) {
      return new RawChannel(context, config, l, metrics, drops, ch.eventLoop(), actions);
    }
    EmqxChannel c = new EmqxChannel(context, config, l, metrics, drops, ch.eventLoop(), actions);
    if (overQuota) {
      c.refuseForQuota();
    }
    return c;
  }

  private int bufferLimit(TcpConfig.Listener l) {
    Framing f = l.framing();
    int max = f == null ? config.maxPacketSize() + 3
        : f instanceof Framing.LengthField lf ? lf.maxFrameLength()
        : f instanceof Framing.Delimiter d ? d.maxFrameLength() + 16
        : ((Framing.Fixed) f).length();
    return Math.max(EmqxTcpCodec.MAX_PAYLOAD, 2 * max) + 64 * 1024;
  }

  /** Stops accepting, ends every connection on its event loop (sessions closed with SERVER_SHUTDOWN), waits at most {@code grace}. */
  @Override
  public CompletionStage<Void> stop(Duration grace) {
    status = AdapterStatus.STOPPING;
    servers.forEach(Channel::close);
    servers.clear();
    refusing.close();
    for (Channel ch : channels) {
      TcpConnectionHandler h = ch.pipeline().get(TcpConnectionHandler.class);
      if (h == null) {
        ch.close();
      } else {
        ch.eventLoop().execute(h::shutdown);
      }
    }
    if (!channels.newCloseFuture().awaitUninterruptibly(grace.toMillis())) {
      LOG.warn("{} TCP device connections still open after {}; closing them", channels.size(), grace);
    }
    channels.close().awaitUninterruptibly(grace.toMillis());
    shutdownGroups();
    status = AdapterStatus.STOPPED;
    return CompletableFuture.completedFuture(null);
  }

  private void shutdownGroups() {
    if (boss != null) {
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3000);
    }
  }

  @Override
  public AdapterStatus status() {
    return status;
  }

  @Override
  public Map<String, Object> statusDetails() {
    return Map.of("connections", channels.size());
  }

  @Override
  public List<ListenerInfo> listeners() {
    return List.copyOf(bound);
  }
}
