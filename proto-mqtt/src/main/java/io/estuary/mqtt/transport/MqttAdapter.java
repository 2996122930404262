package io.estuary.mqtt.transport;

import io.estuary.api.AdapterStatus;
import io.estuary.api.GatewayContext;
import io.estuary.api.ListenerInfo;
import io.estuary.api.ProtocolAdapter;
import io.estuary.api.limits.LogThrottle;
import io.estuary.api.limits.TokenBucket;
import io.estuary.mqtt.MqttAdapterFactory;
import io.estuary.mqtt.MqttListenerConfig;
import io.estuary.mqtt.MqttListenerLimits;
import io.estuary.mqtt.channel.MqttListenerMetrics;
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
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
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
 * The MQTT listeners (tcp, ssl, ws, wss) on Netty: one boss thread accepts, a worker group owns the
 * connections (each connection belongs to one event loop, which is also its session's sink
 * executor). Each connection's pipeline ends in a {@link MqttConnectionHandler} driving a {@code
 * MqttChannel}, which talks only to the {@link GatewayContext}.
 */
public final class MqttAdapter implements ProtocolAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(MqttAdapter.class);

  private final GatewayContext context;
  private final MqttListenerLimits limits;
  private final List<MqttListenerConfig> configs;
  private final BiFunction<String, String, IllegalArgumentException> invalidConfig;
  private final MqttListenerMetrics metrics;
  private final ByteCounter bytes;
  /** At most this many connections beyond max_connections wait for their CONNECT to be refused; more are closed. */
  private static final int MAX_REFUSING = 1024;

  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  /** Connections accepted beyond max_connections, waiting for the CONNECT that gets CONNACK 0x97. */
  private final ChannelGroup refusing = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final LogThrottle refusalLog = LogThrottle.every(10_000);
  private final List<Channel> servers = new ArrayList<>();
  private final List<ListenerInfo> bound = new ArrayList<>();
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private final int ioThreads;
  private volatile AdapterStatus status = AdapterStatus.STOPPED;

  /**
   * @param ioThreads event loops shared by every listener ({@code mqtt.io_threads}, resolved: >= 1)
   * @param invalidConfig builds the error for a bad config key (full key, what was expected): TLS
   *     files that exist but do not make a TLS context are found only at start
   */
  public MqttAdapter(GatewayContext context, MqttListenerLimits limits, List<MqttListenerConfig> listeners, int ioThreads,
      BiFunction<String, String, IllegalArgumentException> invalidConfig) {
    if (ioThreads < 1) {
      throw new IllegalArgumentException("ioThreads must be >= 1, got " + ioThreads);
    }
    this.ioThreads = ioThreads;
    this.context = context;
    this.limits = limits;
    this.configs = List.copyOf(listeners);
    this.invalidConfig = invalidConfig;
    this.metrics = new MqttListenerMetrics(context.metrics());
    this.bytes = new ByteCounter(context.metrics());
    context.metrics().gauge("connections", channels::size);
  }

  @Override
  public CompletionStage<Void> start() {
    status = AdapterStatus.STARTING;
    boss = new NioEventLoopGroup(1, new DefaultThreadFactory("estuary-mqtt-accept", true));
    workers = new NioEventLoopGroup(ioThreads, new DefaultThreadFactory("estuary-mqtt", true));
    try {
      for (MqttListenerConfig l : configs) {
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

  private void refusal(MqttListenerConfig l, SocketChannel ch, String why) {
    long suppressed = refusalLog.admit();
    if (suppressed >= 0) {
      LOG.warn("listener mqtt {} refuses a connection from {}: {}{}", l.id(), ch.remoteAddress(), why, LogThrottle.suffix(suppressed));
    }
  }

  private void bind(MqttListenerConfig l) {
    TokenBucket connRate = TokenBucket.of(l.maxConnRate());
    // admitted connections of this listener, counted at admission (initChannel runs on several worker threads at once,
    // so a group's size checked there let two concurrent accepts both pass the last slot)
    java.util.concurrent.atomic.AtomicInteger admitted = new java.util.concurrent.atomic.AtomicInteger();
    SslContext ssl = l.secure() ? TlsContexts.server(l, invalidConfig) : null;
    ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (!connRate.tryAcquire(1)) {
              metrics.connRateDrops.increment();
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
              channels.add(ch);
            }
            pipeline(ch, l, ssl, overQuota);
          }
        });
    ChannelFuture f = b.bind(l.bind()).awaitUninterruptibly();
    if (!f.isSuccess()) {
      throw new IllegalStateException("listener mqtt " + l.id() + " cannot bind " + l.bind().getHostString() + ":"
          + l.bind().getPort() + ": " + f.cause().getMessage(), f.cause());
    }
    servers.add(f.channel());
    InetSocketAddress addr = (InetSocketAddress) f.channel().localAddress();
    bound.add(new ListenerInfo(MqttAdapterFactory.PROTOCOL, l.id(), addr, l.secure()));
    if (l.websocket()) {
      LOG.info("listener mqtt {} serves MQTT over WebSocket on path {}", l.id(), l.wsPath());
    }
  }

  private void pipeline(SocketChannel ch, MqttListenerConfig l, SslContext ssl, boolean overQuota) {
    ChannelPipeline p = ch.pipeline();
    ReadGate gate = new ReadGate(l.bytesRate(), l.messagesRate(), metrics.bytesRatePauses, metrics.messagesRatePauses,
        metrics.unwritablePauses);
    p.addLast(new PausedReads(gate)); // first: every handler's read request passes it
    if (ssl != null) {
      p.addLast("tls", ssl.newHandler(ch.alloc()));
    }
    // after TLS, so that the SslHandler also sees one flush per burst and seals fewer, fuller records
    p.addLast(new FlushConsolidationHandler(256, true));
    p.addLast(bytes); // after TLS: application bytes, as EMQX counts them
    if (l.websocket()) {
      p.addLast(new HttpServerCodec());
      p.addLast(new HttpObjectAggregator(65536));
      p.addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
          .websocketPath(l.wsPath()).subprotocols("mqtt,mqttv3.1,mqttv3.1.1,mqttv5.0").allowExtensions(true)
          .maxFramePayloadLength(limits.maxPacketSize() + 5).checkStartsWith(false).build()));
      p.addLast(new WebSocketFrameAggregator(limits.maxPacketSize() + 5));
      p.addLast(WebSocketFrames.Decoder.INSTANCE);
      p.addLast(WebSocketFrames.Encoder.INSTANCE);
    }
    PacketInspector inspector = new PacketInspector(limits.maxPacketSize(), gate::paused);
    gate.decodeHeld(inspector::decodeHeld);
    p.addLast(inspector);
    p.addLast(new MqttDecoder(limits.maxPacketSize(), limits.maxClientIdLength()));
    p.addLast(MqttEncoder.INSTANCE);
    p.addLast(MqttConnectionHandler.IDLE_HANDLER, new IdleStateHandler(limits.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
    p.addLast(new MqttConnectionHandler(context, limits, l, metrics, gate, overQuota));
  }

  /**
   * Stops accepting, then ends every connection on its own event loop (MQTT 5 clients get DISCONNECT
   * 0x8B "server shutting down", every session is closed with SERVER_SHUTDOWN), waits at most {@code
   * grace} for the last packets to be written, and closes what is left.
   */
  @Override
  public CompletionStage<Void> stop(Duration grace) {
    status = AdapterStatus.STOPPING;
    servers.forEach(Channel::close);
    servers.clear();
    refusing.close();
    for (Channel ch : channels) {
      MqttConnectionHandler h = ch.pipeline().get(MqttConnectionHandler.class);
      if (h == null) {
        ch.close();
      } else {
        ch.eventLoop().execute(h::shutdown);
      }
    }
    if (!channels.newCloseFuture().awaitUninterruptibly(grace.toMillis())) {
      LOG.warn("{} MQTT connections still open after {}; closing them", channels.size(), grace);
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
