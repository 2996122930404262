package io.estuary.coap;

import io.estuary.cf.BacklogExecutor;
import io.estuary.cf.DatagramBudget;
import io.estuary.cf.IdentityAs;
import io.estuary.cf.DedupCap;
import io.estuary.cf.KnownSources;
import io.estuary.cf.LimitedConnector;
import io.estuary.cf.ListenerLimits;
import io.estuary.cf.SourceLimiter;
import io.estuary.cf.UnknownSourceBudget;
import io.estuary.coap.dtls.DtlsListener;
import io.estuary.coap.resource.ConnectionResource;
import io.estuary.coap.resource.PubSubResource;
import io.estuary.coap.resource.RequestSupport;
import io.estuary.api.AdapterStatus;
import io.estuary.api.CloseReason;
import io.estuary.api.GatewayContext;
import io.estuary.api.ListenerInfo;
import io.estuary.api.ProtocolAdapter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.core.CoapResource;
import io.estuary.coap.trace.CoapTracer;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.Endpoint;
import org.eclipse.californium.elements.UDPConnector;
import org.eclipse.californium.elements.config.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CoAP gateway's lifecycle: one Californium server with a UDP endpoint per {@code listeners.udp}
 * entry and a Scandium DTLS endpoint per {@code listeners.dtls} entry.
 */
final class CoapAdapter implements ProtocolAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(CoapAdapter.class);

  private final CoapGatewayConfig config;
  private final GatewayContext context;
  private final Map<Endpoint, String> listenerNames = new ConcurrentHashMap<>();
  private final Map<Endpoint, IdentityAs> identityAs = new ConcurrentHashMap<>();
  /** Plain UDP endpoints' known-address tables (a connection token proves its address). */
  private final Map<Endpoint, KnownSources> knownByEndpoint = new ConcurrentHashMap<>();
  private final List<ListenerInfo> listeners = new ArrayList<>();
  private volatile AdapterStatus status = AdapterStatus.STOPPED;
  private CoapServer server;
  private ExecutorService devicePool;
  private BacklogExecutor stage;
  private DeviceRegistry registry;

  CoapAdapter(CoapGatewayConfig config, GatewayContext context) {
    this.config = config;
    this.context = context;
  }

  @Override
  public CompletionStage<Void> start() {
    status = AdapterStatus.STARTING;
    try {
      AtomicInteger n = new AtomicInteger();
      devicePool = Executors.newFixedThreadPool(config.californium().protocolThreads(), r -> {
        Thread t = new Thread(r, "coap-device-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      CoapMetrics metrics = new CoapMetrics(context.metrics());
      registry = new DeviceRegistry(context, config, metrics, devicePool);
      DeviceRegistry devices = registry;
      context.metrics().gauge("half_open", devices::halfOpenDevices); // unproven observers (max_half_open)
      RequestSupport support = new RequestSupport(config, context, registry, metrics,
          ep -> listenerNames.getOrDefault(ep, "udp:default"), ep -> identityAs.getOrDefault(ep, IdentityAs.NONE),
          knownByEndpoint::get);
      Configuration cf = config.californium().toConfiguration();
      server = new CoapServer(cf);
      // our protocol-stage executor counts its waiting tasks: the listeners shed datagrams past max_backlog
      stage = BacklogExecutor.named(config.californium().protocolThreads(), "coap-stage-");
      server.setExecutor(stage, false);
      context.metrics().gauge("stage.backlog", stage::waiting);
      List<SourceLimiter> limiters = new ArrayList<>();
      List<KnownSources> knownSources = new ArrayList<>();
      // duplicate detection with a hard entry cap per endpoint (californium.max_dedup_entries)
      DedupCap dedup = new DedupCap(config.californium());
      context.metrics().gauge("dedup.entries", dedup::entries);
      context.metrics().monotonic("dedup.evicted", dedup::evictions);
      // message-id state per peer, max_active_peers at most (a new peer takes the place of one not seen lately)
      context.metrics().gauge("mid_peers", dedup::midPeers);
      context.metrics().monotonic("mid_peers.evicted", dedup::midPeerEvictions);
      for (Map.Entry<String, InetSocketAddress> l : config.udpListeners().entrySet()) {
        // datagrams from addresses not known (known_source_rule) share unknown_datagram_rate (the flood's share)
        KnownSources known = new KnownSources(config.limits("udp:" + l.getKey()).maxSources(), config.knownSourceTtl());
        knownSources.add(known);
        SourceLimiter limiter = limiter("udp:" + l.getKey(), metrics, UnknownSourceBudget.of("coap udp:" + l.getKey(),
            known, config.unknownDatagramRate("udp:" + l.getKey()), context.metrics()));
        limiters.add(limiter);
        // datagrams pass the per-source rate before Californium parses them or creates an exchange
        CoapEndpoint ep = dedup.equip(new CoapEndpoint.Builder().setConfiguration(cf)
            .setConnector(new LimitedConnector(new UDPConnector(l.getValue(), cf), limiter)), cf).build();
        listenerNames.put(ep, "udp:" + l.getKey());
        ep.addInterceptor(known.interceptor(config.knownSourceRule()));
        knownByEndpoint.put(ep, known);
        server.addEndpoint(ep);
      }
      for (Map.Entry<String, DtlsListener> l : config.dtlsListeners().entrySet()) {
        SourceLimiter limiter = limiter("dtls:" + l.getKey(), metrics, null);
        limiters.add(limiter);
        CoapEndpoint ep = l.getValue().endpoint(cf, limiter, dedup);
        listenerNames.put(ep, "dtls:" + l.getKey());
        identityAs.put(ep, l.getValue().settings().identityAs());
        server.addEndpoint(ep);
      }
      context.metrics().monotonic("sources.evicted", () -> limiters.stream().mapToLong(SourceLimiter::evictions).sum());
      context.metrics().gauge("sources", () -> limiters.stream().mapToInt(SourceLimiter::size).sum());
      context.metrics().gauge("known_sources", () -> knownSources.stream().mapToInt(KnownSources::size).sum());
      CoapResource mqtt = new CoapResource("mqtt");
      mqtt.add(new ConnectionResource(support));
      server.add(mqtt, new PubSubResource(support));
      CoapTracer tracer = new CoapTracer(context);
      server.getEndpoints().forEach(ep -> ep.addInterceptor(tracer));
      server.start();
      for (Endpoint ep : server.getEndpoints()) {
        String name = listenerNames.get(ep);
        boolean secure = name.startsWith("dtls:");
        if (!ep.isStarted()) {
          throw new IllegalStateException("cannot bind CoAP listener " + name + " on " + (secure
              ? config.dtlsListeners().get(name.substring(5)).bind() : config.udpListeners().get(name.substring(4))));
        }
        listeners.add(new ListenerInfo("coap", name, ep.getAddress(), secure));
        LOG.info("CoAP listener {} on {}", listenerNames.get(ep), ep.getAddress());
      }
      // the stored tokens are read on the store executor; start completes once they are back
      return registry.restoreConnections(RequestSupport.PROTOCOL, config.mountpoint()).handle((restored, e) -> {
        if (e != null) {
          status = AdapterStatus.FAILED;
          release();
          throw new java.util.concurrent.CompletionException(e);
        }
        registry.startHeartbeatSweep();
        status = AdapterStatus.RUNNING;
        return null;
      });
    } catch (RuntimeException e) {
      status = AdapterStatus.FAILED;
      release();
      return CompletableFuture.failedFuture(e);
    }
  }

  /** {@code unknown}: the plain UDP listener's unknown_datagram_rate (null over DTLS: its handshake proves the peer). */
  private SourceLimiter limiter(String listener, CoapMetrics metrics, UnknownSourceBudget unknown) {
    ListenerLimits l = config.limits(listener);
    DatagramBudget budget = DatagramBudget.of("coap " + listener, l.maxDatagramRate(), stage::waiting,
        config.californium().maxBacklog(), context.metrics());
    return new SourceLimiter("coap " + listener, l.sourceRate(), l.maxSources(), metrics.datagramsDropped, budget,
        unknown);
  }

  @Override
  public CompletionStage<Void> stop(Duration grace) {
    status = AdapterStatus.STOPPING;
    CompletableFuture<Void> closed = registry == null
        ? CompletableFuture.completedFuture(null)
        : registry.closeAll(CloseReason.SERVER_SHUTDOWN).toCompletableFuture();
    return closed.completeOnTimeout(null, grace.toMillis(), TimeUnit.MILLISECONDS)
        .handle((v, e) -> {
          release();
          status = AdapterStatus.STOPPED;
          return null;
        });
  }

  private void release() {
    if (server != null) {
      server.stop();
      server.destroy();
    }
    if (devicePool != null) {
      devicePool.shutdown();
    }
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
