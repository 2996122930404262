package io.estuary.mqttsn.transport;

import io.estuary.api.AdapterStatus;
import io.estuary.api.GatewayContext;
import io.estuary.api.ListenerInfo;
import io.estuary.api.ProtocolAdapter;
import io.estuary.mqttsn.DtlsListenerConfig;
import io.estuary.mqttsn.MqttSnConfig;
import io.estuary.mqttsn.channel.Action;
import io.estuary.mqttsn.channel.MqttSnDispatcher;
import io.estuary.mqttsn.channel.TopicIdStore;
import io.estuary.mqttsn.codec.MqttSnCodec;
import io.estuary.mqttsn.codec.MqttSnFrame;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT-SN gateway's lifecycle: binds the UDP listeners, ticks the channels' timers and sends ADVERTISE.
 * start/stop are called from the gateway's main thread; everything else runs on one Netty event loop
 * ({@code mqttsn}: the dispatchers, the clients' connected sockets, DTLS), except the plain UDP listener
 * sockets, which are read, filtered and decoded on a second loop ({@code mqttsn-listener}) whose results go to
 * the first in one task per read ({@link HandOff}), and the topic-id store's reads and writes, which run on the
 * adapter's own single {@code mqttsn-store} thread (results are handed back to the loop).
 */
public final class MqttSnAdapter implements ProtocolAdapter {
  private static final Logger log = LoggerFactory.getLogger(MqttSnAdapter.class);
  private static final Logger drops = LoggerFactory.getLogger("io.estuary.mqttsn.drops");
  /** How often keepalive, sleep and retry deadlines are checked. */
  static final Duration TICK = Duration.ofMillis(250);
  /** Datagrams read per wake-up of the event loop before it runs its other tasks (issue #13, the flood). */
  static final int READ_BATCH = 64;
  /** Bytes read per datagram: Netty's default for UDP channels (a longer datagram is cut by the kernel). */
  static final int RECEIVE_BUFFER = 2048;
  /**
   * How long a client address's connected socket keeps reading after the address lost its last channel, waiting
   * for the client's next CONNECT (ConnectedSockets): a client reconnects at once after a refusal or a
   * DISCONNECT, or after its Tretry (10 s by default) at the latest when its CONNECT went unanswered.
   */
  static final Duration CONNECTED_SOCKET_LINGER = Duration.ofSeconds(5);

  private final MqttSnConfig config;
  private final List<DtlsListenerConfig> dtlsConfig;
  private final GatewayContext ctx;
  private final List<MqttSnDtlsListener> dtls = new ArrayList<>();
  private final Map<String, Channel> channels = new LinkedHashMap<>();
  private final Map<String, MqttSnDispatcher> dispatchers = new LinkedHashMap<>();
  /** Per plain-UDP listener with {@code connected_sockets} > 0: its clients' connected sockets. */
  private final List<ConnectedSockets> connected = new ArrayList<>();
  private final List<ListenerInfo> listeners = new ArrayList<>();
  private volatile AdapterStatus status = AdapterStatus.STOPPED;
  private NioEventLoopGroup group;
  private EventLoop loop;
  /** Reads the plain UDP listener sockets (HandOff); the dispatchers and connected sockets are on {@link #loop}. */
  private NioEventLoopGroup listenerGroup;
  private ScheduledFuture<?> ticker;
  private ScheduledFuture<?> advertiser;
  private ScheduledFuture<?> sweeper;
  private TopicIdStore topicIds;

  public MqttSnAdapter(MqttSnConfig config, List<DtlsListenerConfig> dtlsConfig, GatewayContext ctx) {
    this.config = config;
    this.dtlsConfig = List.copyOf(dtlsConfig);
    this.ctx = ctx;
  }

  @Override
  public CompletionStage<Void> start() {
    status = AdapterStatus.STARTING;
    group = new NioEventLoopGroup(1, new DefaultThreadFactory("mqttsn"));
    loop = group.next();
    listenerGroup = new NioEventLoopGroup(1, new DefaultThreadFactory("mqttsn-listener"));
    topicIds = new TopicIdStore(ctx);
    try {
      for (Map.Entry<String, InetSocketAddress> l : config.udpListeners().entrySet()) {
        bind("udp:" + l.getKey(), l.getValue());
      }
      dropPlacesOfGoneListeners();
      for (DtlsListenerConfig d : dtlsConfig) {
        String name = "dtls:" + d.name();
        MqttSnDtlsListener l = new MqttSnDtlsListener(name, d, config, ctx, loop, topicIds);
        l.start();
        dtls.add(l);
        dispatchers.put(name, l.dispatcher());
        listeners.add(new ListenerInfo("mqttsn", name, l.address(), true));
      }
    } catch (RuntimeException e) {
      status = AdapterStatus.FAILED;
      dtls.forEach(MqttSnDtlsListener::stop);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      listenerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      return CompletableFuture.failedFuture(e);
    }
    ticker = loop.scheduleAtFixedRate(() -> dispatchers.values().forEach(MqttSnDispatcher::tick),
        TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    // stored topic ids of persistent sessions that expired (TopicIdStore): checked every session expiry, 1 s..10 min
    long sweepEvery = Math.max(1000, Math.min(600_000, config.sessionExpiry().toMillis()));
    sweeper = loop.scheduleAtFixedRate(this::sweepTopicIds, sweepEvery, sweepEvery, TimeUnit.MILLISECONDS);
    if (config.broadcast() && !channels.isEmpty()) {
      long every = config.advertiseInterval().toMillis();
      advertiser = loop.scheduleAtFixedRate(this::advertise, 0, every, TimeUnit.MILLISECONDS);
    }
    status = AdapterStatus.RUNNING;
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Deletes the kept-offline places stored for plain-UDP listeners this configuration no longer has (renamed or
   * removed): no dispatcher would read, count or free them, and they would stay in the store for good. In the
   * background; logged.
   */
  private void dropPlacesOfGoneListeners() {
    java.util.List<String> configured = new java.util.ArrayList<>();
    config.udpListeners().keySet().forEach(l -> configured.add("udp:" + l + "|"));
    io.estuary.api.KeyValueSpace places = ctx.keyValueSpace(MqttSnDispatcher.PLACES);
    places.scan("").thenAccept(stored -> {
      int gone = 0;
      for (String key : stored.keySet()) { // each key on its own: a listener's name may hold any character
        if (configured.stream().noneMatch(key::startsWith)) {
          places.delete(key);
          gone++;
        }
      }
      if (gone > 0) {
        log.info("mqttsn: {} kept-offline place(s) of listeners no longer configured deleted", gone);
      }
    }).exceptionally(e -> {
      log.warn("mqttsn: the kept-offline places of listeners no longer configured could not be read ({})", e.toString());
      return null;
    });
  }

  private void bind(String name, InetSocketAddress address) {
    MqttSnDispatcher dispatcher = new MqttSnDispatcher(config, ctx, name, loop, actions -> write(name, actions), topicIds);
    try { // the places kept-offline unproven sessions held before a restart count before the listener reads
      dispatcher.restorePlaces().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the kept-offline places of " + name, e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      log.warn("mqttsn {}: the kept-offline places of the last run could not be read ({}): they count again "
          + "only from now", name, e.toString());
    }
    long recbuf = config.limits().listener(name).recbuf();
    int connectedSockets = config.limits().listener(name).connectedSockets();
    // the listener socket is read on its own loop; what it decodes goes to the dispatcher's loop (HandOff)
    HandOff handOff = new HandOff(name, i -> MqttSnDatagramHandler.deliver(dispatcher, i.from(), i.result(), null, i.len(),
        i.connectAdmitted()),
        loop, HandOff.MAX_QUEUED, ctx.metrics().counter("drops", "reason", "dispatch_backlog"), System::nanoTime);
    ctx.metrics().gauge("dispatch_backlog", handOff::queued, "listener", name);
    Bootstrap b = new Bootstrap()
        .group(listenerGroup.next())
        .channel(NioDatagramChannel.class)
        .option(ChannelOption.SO_BROADCAST, true)
        // up to READ_BATCH datagrams per wake-up (Netty's default for UDP is 16), each read into a pooled
        // buffer of the size Netty has always used here
        .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(RECEIVE_BUFFER).maxMessagesPerRead(READ_BATCH))
        .handler(new MqttSnDatagramHandler(dispatcher,
            ListenerReadBudget.of(config.limits().listener(name).unknownDatagramRate(), ctx, name), handOff));
    if (recbuf > 0) { // a burst waits in the kernel instead of being dropped there (issue #13)
      b.option(ChannelOption.SO_RCVBUF, (int) recbuf);
    }
    if (connectedSockets > 0) { // the per-client connected sockets join this port (ConnectedSockets)
      b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
    }
    ChannelFuture f = b.bind(address).awaitUninterruptibly();
    if (!f.isSuccess()) {
      throw new IllegalStateException("mqttsn listener " + name + " cannot bind " + address + ": " + f.cause(), f.cause());
    }
    Channel ch = f.channel();
    if (recbuf > 0) {
      int granted = ((DatagramChannel) ch).config().getReceiveBufferSize();
      log.info("mqttsn listener {}: receive buffer {} bytes (recbuf {}; the kernel caps it at net.core.rmem_max)",
          name, granted, recbuf);
    }
    if (connectedSockets > 0) {
      ConnectedSockets sockets = new ConnectedSockets(name, loop, (InetSocketAddress) ch.localAddress(),
          connectedSockets, CONNECTED_SOCKET_LINGER, dispatcher, ctx);
      // on the loop, which owns the dispatcher (a client attached before this one task shares the listener socket)
      loop.submit(() -> dispatcher.watchAddresses(sockets)).syncUninterruptibly();
      connected.add(sockets);
    }
    channels.put(name, ch);
    dispatchers.put(name, dispatcher);
    listeners.add(new ListenerInfo("mqttsn", name, (InetSocketAddress) ch.localAddress(), false));
  }

  /** Writes a channel's actions; {@link Action.Close} was already handled by the dispatcher. */
  private void write(String listener, List<Action> actions) {
    Channel ch = channels.get(listener);
    if (ch == null) {
      return;
    }
    boolean wrote = false;
    for (Action a : actions) {
      if (a instanceof Action.Send s) {
        wrote |= send(ch, s.to(), s.frame());
      }
    }
    if (wrote) {
      ch.flush();
    }
  }

  private boolean send(Channel ch, InetSocketAddress to, MqttSnFrame frame) {
    byte[] bytes;
    try {
      bytes = MqttSnCodec.encode(frame);
    } catch (IllegalArgumentException e) {
      drops.debug("mqttsn frame to {} not sent: {}", to, e.getMessage());
      ctx.metrics().counter("drops", "reason", "too_large").increment();
      return false;
    }
    if (log.isTraceEnabled()) {
      log.trace("mqttsn out {} {}", to, frame);
    }
    ch.write(new DatagramPacket(Unpooled.wrappedBuffer(bytes), to), ch.voidPromise());
    return true;
  }

  private void sweepTopicIds() {
    topicIds.sweep(ctx.clock().millis(), id -> dispatchers.values().stream().anyMatch(d -> d.hasClient(id)), loop)
        .whenComplete((n, e) -> {
          if (e != null) {
            log.warn("mqttsn topic id sweep failed: {}", e.toString());
          } else if (n > 0) {
            log.debug("mqttsn topic ids of {} expired sessions deleted", n);
          }
        });
  }

  private void advertise() {
    // §5.4.2: Duration is the time until the next ADVERTISE, in seconds
    int seconds = (int) Math.min(0xFFFF, config.advertiseInterval().toSeconds());
    Channel ch = channels.values().iterator().next();
    if (send(ch, config.advertiseTarget(), new MqttSnFrame.Advertise(config.gatewayId(), seconds))) {
      ch.flush();
    }
  }

  @Override
  public CompletionStage<Void> stop(Duration grace) {
    if (group == null) {
      status = AdapterStatus.STOPPED;
      return CompletableFuture.completedFuture(null);
    }
    status = AdapterStatus.STOPPING;
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.execute(() -> {
      if (ticker != null) {
        ticker.cancel(false);
      }
      if (advertiser != null) {
        advertiser.cancel(false);
      }
      if (sweeper != null) {
        sweeper.cancel(false);
      }
      dispatchers.values().forEach(MqttSnDispatcher::shutdown);
      connected.forEach(ConnectedSockets::closeAll);
      channels.values().forEach(Channel::close);
      channels.clear();
      dtls.forEach(MqttSnDtlsListener::stop);
      done.complete(null);
    });
    long graceMs = Math.max(0, grace.toMillis());
    return done.thenCompose(v -> {
      CompletableFuture<Void> stopped = new CompletableFuture<>();
      // topic-id writes queued meanwhile are the gateway's to finish: it drains its store executor
      listenerGroup.shutdownGracefully(0, graceMs, TimeUnit.MILLISECONDS);
      group.shutdownGracefully(0, graceMs, TimeUnit.MILLISECONDS).addListener(f -> {
        status = AdapterStatus.STOPPED;
        log.info("mqttsn gateway stopped");
        stopped.complete(null);
      });
      return stopped;
    });
  }

  @Override
  public AdapterStatus status() {
    return status;
  }

  @Override
  public List<ListenerInfo> listeners() {
    return List.copyOf(listeners);
  }
}
