package io.estuary.stomp.transport;

import io.estuary.api.AdapterStatus;
import io.estuary.api.GatewayContext;
import io.estuary.api.ListenerInfo;
import io.estuary.api.ProtocolAdapter;
import io.estuary.api.limits.LogThrottle;
import io.estuary.api.limits.TokenBucket;
import io.estuary.stomp.StompAdapterFactory;
import io.estuary.stomp.StompConfig;
import io.estuary.stomp.channel.StompMetrics;
import io.estuary.stomp.codec.StompCodec;
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
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The STOMP listeners on Netty (tcp, ssl, ws, wss), shaped like proto-mqtt's listener: one accept thread,
 * a worker group whose event loops own the connections (and are their sessions' sink executors), a
 * {@code max_connections} cap per listener.
 */
public final class StompAdapter implements ProtocolAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(StompAdapter.class);

  private final StompConfig config;
  private final GatewayContext context;
  private final BiFunction<String, String, IllegalArgumentException> invalid;
  private final StompMetrics metrics;
  private final StompCodec codec;
  /** At most this many connections beyond max_connections wait for their CONNECT to be refused; more are closed. */
  private static final int MAX_REFUSING = 1024;

  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  /** Connections accepted beyond max_connections, waiting for the CONNECT that gets ERROR. */
  private final ChannelGroup refusing = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final LogThrottle refusalLog = LogThrottle.every(10_000);
  private final List<Channel> servers = new ArrayList<>();
  private final List<ListenerInfo> bound = new ArrayList<>();
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private volatile AdapterStatus status = AdapterStatus.STOPPED;

  public StompAdapter(StompConfig config, GatewayContext context,
      BiFunction<String, String, IllegalArgumentException> invalid) {
    this.config = config;
    this.context = context;
    this.invalid = invalid;
    this.metrics = new StompMetrics(context.metrics());
    this.codec = new StompCodec(config.limits());
    context.metrics().gauge("connections", channels::size);
  }

  @Override
  public CompletionStage<Void> start() {
    status = AdapterStatus.STARTING;
    boss = new NioEventLoopGroup(1, new DefaultThreadFactory("estuary-stomp-accept", true));
    workers = new NioEventLoopGroup(0, new DefaultThreadFactory("estuary-stomp", true));
    try {
      for (StompConfig.Listener l : config.listeners()) {
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

  private void refusal(StompConfig.Listener l, SocketChannel ch, String why) {
    long suppressed = refusalLog.admit();
    if (suppressed >= 0) {
      LOG.warn("listener stomp {} refuses a connection from {}: {}{}", l.id(), ch.remoteAddress(), why, LogThrottle.suffix(suppressed));
    }
  }

  private void bind(StompConfig.Listener l) {
    TokenBucket connRate = TokenBucket.of(l.maxConnRate());
    // admitted connections of this listener, counted at admission (initChannel runs on several worker threads at once,
    // so a group's size checked there let two concurrent accepts both pass the last slot)
    java.util.concurrent.atomic.AtomicInteger admitted = new java.util.concurrent.atomic.AtomicInteger();
    SslContext ssl = l.tls() != null ? TlsContexts.server(l, invalid) : null;
    ChannelGroup mine = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (!connRate.tryAcquire(1)) {
              metrics.rateLimitedConnections.increment();
              refusal(l, ch, "max_conn_rate " + l.maxConnRate());
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
              refusal(l, ch, "max_connections " + l.maxConnections());
              if (refusing.size() >= MAX_REFUSING) { // answering refusals must not cost more than this
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
      throw new IllegalStateException("listener stomp " + l.id() + " cannot bind " + l.bind().getHostString() + ":"
          + l.bind().getPort() + ": " + f.cause().getMessage(), f.cause());
    }
    servers.add(f.channel());
    InetSocketAddress addr = (InetSocketAddress) f.channel().localAddress();
    bound.add(new ListenerInfo(StompAdapterFactory.PROTOCOL, l.id(), addr, ssl != null));
    LOG.info("listener stomp {} on {}:{}{}", l.id(), addr.getHostString(), addr.getPort(),
        l.websocket() ? " path " + l.wsPath() : "");
  }

  private void pipeline(SocketChannel ch, StompConfig.Listener l, SslContext ssl, boolean overQuota) {
    ChannelPipeline p = ch.pipeline();
    p.addLast(PausedReads.INSTANCE); // first: every handler's read request passes it
    p.addLast(new FlushConsolidationHandler(256, true));
    if (ssl != null) {
      p.addLast("tls", ssl.newHandler(ch.alloc()));
    }
    if (l.websocket()) {
      int max = (int) Math.min(Integer.MAX_VALUE - 1024L, config.limits().maxBodyLength()
          + (long) config.limits().maxHeaders() * (config.limits().maxHeaderLength() + 2) + 64);
      p.addLast(new HttpServerCodec());
      p.addLast(new HttpObjectAggregator(65536));
      p.addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
          .websocketPath(l.wsPath()).subprotocols("v12.stomp,v11.stomp,v10.stomp,stomp").allowExtensions(true)
          .maxFramePayloadLength(max).checkStartsWith(false).build()));
      p.addLast(new WebSocketFrameAggregator(max));
      p.addLast(WebSocketFrames.Decoder.INSTANCE);
      p.addLast(WebSocketFrames.Encoder.INSTANCE);
    }
    p.addLast(new StompConnectionHandler(config, context, codec, metrics, l, overQuota));
  }

  @Override
  public CompletionStage<Void> stop(Duration grace) {
    status = AdapterStatus.STOPPING;
    servers.forEach(Channel::close);
    servers.clear();
    refusing.close();
    for (Channel ch : channels) {
      StompConnectionHandler h = ch.pipeline().get(StompConnectionHandler.class);
      if (h == null) {
        ch.close();
      } else {
        ch.eventLoop().execute(h::shutdown);
      }
    }
    if (!channels.newCloseFuture().awaitUninterruptibly(grace.toMillis())) {
      LOG.warn("{} STOMP connections still open after {}; closing them", channels.size(), grace);
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
  public List<ListenerInfo> listeners() {
    return List.copyOf(bound);
  }
}
