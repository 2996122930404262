package io.estuary.lwm2m;

import io.estuary.api.AdapterStatus;
import io.estuary.api.GatewayContext;
import io.estuary.api.KeyValueSpace;
import io.estuary.api.ListenerInfo;
import io.estuary.api.ProtocolAdapter;
import io.estuary.api.AdapterApi;
import io.estuary.lwm2m.bootstrap.BootstrapApi;
import io.estuary.lwm2m.bootstrap.BootstrapConfigs;
import io.estuary.lwm2m.bootstrap.BootstrapService;
import io.estuary.lwm2m.model.ModelCatalog;
import io.estuary.lwm2m.security.ProvisionedCredentials;
import io.estuary.lwm2m.persistence.CommandJournal;
import io.estuary.lwm2m.persistence.ObservationJournal;
import io.estuary.lwm2m.persistence.DurableRegistrationStore;
import io.estuary.lwm2m.persistence.RegistrationJson;
import io.estuary.lwm2m.registration.Endpoints;
import io.estuary.lwm2m.registration.LimitedCoapEndpointFactory;
import io.estuary.lwm2m.registration.RegistrationGate;
import io.estuary.lwm2m.registration.RegistrationIds;
import io.estuary.lwm2m.registration.UpdateProof;
import io.estuary.cf.DedupCap;
import io.estuary.cf.ListenerLimits;
import io.estuary.cf.BacklogExecutor;
import io.estuary.cf.DatagramBudget;
import io.estuary.cf.KnownSources;
import io.estuary.cf.SourceLimiter;
import io.estuary.cf.UnknownSourceBudget;
import io.estuary.lwm2m.registration.LimitedCoapsEndpointFactory;
import io.estuary.lwm2m.registration.Lwm2mUris;
import io.estuary.lwm2m.security.LifetimeAuthorizer;
import io.estuary.lwm2m.security.RegistrationAuthenticator;
import java.net.InetSocketAddress;
import java.net.URI;
import org.eclipse.leshan.core.endpoint.EndpointUri;
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
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.LeshanServerBuilder;
import org.eclipse.leshan.transport.californium.server.endpoint.CaliforniumServerEndpointsProvider;
import org.eclipse.leshan.transport.californium.server.endpoint.coap.CoapServerProtocolProvider;
import org.eclipse.leshan.server.endpoint.LwM2mServerEndpoint;
import org.eclipse.leshan.server.queue.StaticClientAwakeTimeProvider;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.security.DefaultAuthorizer;
import org.eclipse.leshan.transport.californium.server.endpoint.coaps.CoapsServerProtocolProvider;
import io.estuary.cf.DtlsSettings;
import io.estuary.lwm2m.security.Credentials;
import io.estuary.lwm2m.security.DtlsListener;
import io.estuary.lwm2m.security.X509EndpointAuthorizer;
import java.security.cert.X509Certificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LwM2M gateway: a Leshan server on Californium UDP endpoints, each registered device an MQTT
 * session. start/stop run on the gateway's main thread; device work runs on the endpoints' serial
 * executors over a small worker pool.
 */
public final class Lwm2mAdapter implements ProtocolAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(Lwm2mAdapter.class);

  private final Lwm2mConfig config;
  private final GatewayContext ctx;
  private final List<ListenerInfo> listeners = new ArrayList<>();
  private final Map<EndpointUri, String> listenerNames = new ConcurrentHashMap<>();
  private volatile AdapterStatus status = AdapterStatus.STOPPED;
  private volatile LeshanServer server;
  private ExecutorService workers;
  /** Californium's protocol stage for Leshan's server: counts waiting tasks for {@code californium.max_backlog}. */
  private BacklogExecutor stage;
  private Endpoints endpoints;
  private DurableRegistrationStore registrations;
  private CommandJournal journal;
  private ObservationJournal observed;
  private volatile BootstrapService bootstrap; // volatile: read by the sources gauges
  private volatile BootstrapApi api;

  public Lwm2mAdapter(Lwm2mConfig config, GatewayContext ctx) {
    this.config = config;
    this.ctx = ctx;
  }

  @Override
  public synchronized CompletionStage<Void> start() {
    status = AdapterStatus.STARTING;
    try {
      Configuration cf = config.californium().toConfiguration();
      // stored as "lwm2m", as before; failed writes counted (lwm2m.store.write_failures) and logged rate-limited
      KeyValueSpace kv = io.estuary.cf.WatchedKeyValueSpace.of(ctx.keyValueSpace(), "LwM2M", ctx.metrics());
      registrations = new DurableRegistrationStore(kv);
      journal = new CommandJournal(kv, ctx.clock().millis() * 1000);
      observed = new ObservationJournal(kv);
      // start() runs on the gateway's starting thread, never an I/O thread: the server must not
      // start before its registrations are back, so this thread waits for the store executor
      List<Registration> restored = registrations.load().toCompletableFuture().join();
      Map<String, List<CommandJournal.Entry>> waitingCommands = journal.load().toCompletableFuture().join();
      Map<String, List<ObservationJournal.Entry>> observations = observed.load().toCompletableFuture().join();
      List<DtlsListener> dtls = List.copyOf(config.dtlsListeners().values());
      if (!dtls.isEmpty()) {
        cf = dtls.get(0).settings().configuration(cf); // role, client authentication, connection id
      }
      // xml_dir is parsed on a background thread: start-up does not wait for XML parsing
      ModelCatalog models = ModelCatalog.start(config.xmlDir(), r -> {
        Thread t = new Thread(r, "lwm2m-models");
        t.setDaemon(true);
        t.start();
      });
      stage = BacklogExecutor.named(config.californium().protocolThreads(), "lwm2m-stage-");
      ctx.metrics().gauge("stage.backlog", stage::waiting);
      CaliforniumServerEndpointsProvider.Builder eps = new CaliforniumServerEndpointsProvider.Builder(
          new CoapServerProtocolProvider(), new CoapsServerProtocolProvider()).setConfiguration(cf);
      // datagrams pass the per-source rate before Californium parses them (DTLS: before Scandium reads a record)
      List<SourceLimiter> limiters = new ArrayList<>();
      // duplicate detection with a hard entry cap per endpoint (californium.max_dedup_entries), bootstrap included
      DedupCap dedup = new DedupCap(config.californium());
      ctx.metrics().gauge("dedup.entries", dedup::entries);
      ctx.metrics().monotonic("dedup.evicted", dedup::evictions);
      // message-id state per peer, max_active_peers at most (a new peer takes the place of one not seen lately)
      ctx.metrics().gauge("mid_peers", dedup::midPeers);
      ctx.metrics().monotonic("mid_peers.evicted", dedup::midPeerEvictions);
      io.estuary.api.Metrics.Counter datagramsDropped = ctx.metrics().counter("datagrams.dropped");
      List<KnownSources> knownSources = new ArrayList<>();
      config.udpListeners().forEach((name, a) -> {
        ListenerLimits l = config.limits("udp:" + name);
        // datagrams from addresses not known (known_source_rule) share unknown_datagram_rate
        KnownSources known = new KnownSources(l.maxSources(), config.knownSourceTtl());
        knownSources.add(known);
        SourceLimiter limiter = new SourceLimiter("lwm2m udp:" + name, l.sourceRate(), l.maxSources(), datagramsDropped,
            budget("lwm2m udp:" + name, l), UnknownSourceBudget.of("lwm2m udp:" + name, known,
                config.unknownDatagramRate("udp:" + name), ctx.metrics()));
        limiters.add(limiter);
        eps.addEndpoint(new LimitedCoapEndpointFactory(a, limiter, dedup, known, config.knownSourceRule()));
      });
      ctx.metrics().gauge("known_sources", () -> knownSources.stream().mapToInt(KnownSources::size).sum()
          + (bootstrap == null ? 0 : bootstrap.knownSources()));
      Configuration dtlsCf = cf;
      config.dtlsListeners().forEach((name, l) -> {
        ListenerLimits ll = config.limits("dtls:" + name);
        SourceLimiter limiter = new SourceLimiter("lwm2m dtls:" + name, ll.sourceRate(), ll.maxSources(), datagramsDropped,
            budget("lwm2m dtls:" + name, ll));
        limiters.add(limiter);
        eps.addEndpoint(new LimitedCoapsEndpointFactory(l.bind(), dtlsCf, limiter, dedup));
      });
      // the bootstrap server's listeners (started below) count in the same totals
      ctx.metrics().monotonic("sources.evicted", () -> limiters.stream().mapToLong(SourceLimiter::evictions).sum()
          + (bootstrap == null ? 0 : bootstrap.sourceEvictions()));
      ctx.metrics().gauge("sources", () -> limiters.stream().mapToInt(SourceLimiter::size).sum()
          + (bootstrap == null ? 0 : bootstrap.sources()));
      // configured credentials, plus the PSKs the bootstrap server handed out (kept in the store)
      io.estuary.api.Metrics.Counter provisionRefused = ctx.metrics().counter("bootstrap.refused", "reason", "max_provisioned");
      ProvisionedCredentials credentials = new ProvisionedCredentials(Credentials.store(dtls), kv,
          config.bootstrap().maxProvisioned(), provisionRefused::increment);
      io.estuary.api.Metrics.Counter provisionEvicted = ctx.metrics().counter("bootstrap.evicted");
      credentials.onEvicted(provisionEvicted::increment);
      int provisioned = credentials.load().toCompletableFuture().join();
      LeshanServerBuilder builder = new LeshanServerBuilder()
          .setRegistrationStore(registrations)
          .setSecurityStore(credentials)
          .setObjectModelProvider(models)
          .setAuthorizer(new LifetimeAuthorizer(config.lifetimeMin(), config.lifetimeMax(),
              new RegistrationAuthenticator(ctx, config.usernameFrom(),
                  new X509EndpointAuthorizer(new DefaultAuthorizer(credentials)))))
          .setClientAwakeTimeProvider(new StaticClientAwakeTimeProvider((int) config.qmodeTimeWindow().toMillis()));
      dtls.stream().filter(l -> l.settings().privateKey() != null).findFirst().ifPresent(l -> {
        DtlsSettings d = l.settings();
        builder.setPrivateKey(d.privateKey()).setPublicKey(d.publicKey());
        if (!d.certificateChain().isEmpty()) {
          builder.setCertificateChain(d.certificateChain().toArray(X509Certificate[]::new));
        }
        if (!d.trustedCertificates().isEmpty()) {
          builder.setTrustedCertificates(d.trustedCertificates().toArray(X509Certificate[]::new));
        }
      });
      CaliforniumServerEndpointsProvider provider = (CaliforniumServerEndpointsProvider) eps.build();
      builder.setEndpointsProviders(provider);
      builder.setRegistrationIdProvider(new RegistrationIds()); // unguessable: an id authorizes updates on plain UDP
      server = builder.build();
      // our protocol-stage executor, as the CoAP gateway's: the listeners shed datagrams past max_backlog
      provider.getCoapServer().setExecutor(stage, false);
      AtomicInteger n = new AtomicInteger();
      workers = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "lwm2m-worker-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      endpoints = new Endpoints(config, ctx, new LeshanDownlink(server), workers, this::listenerName, journal, observed);
      server.getRegistrationService().addListener(endpoints);
      // a device that registered (with its credentials: the authorizer refuses it otherwise) keeps them for good,
      // marked in the store too (ProvisionedCredentials.registered); a mark the store failed to write is written again
      // on the next registration or update (ProvisionedCredentials.updated: nothing written when nothing is pending)
      server.getRegistrationService().addListener(new org.eclipse.leshan.server.registration.RegistrationListener() {
        @Override
        public void registered(Registration reg, Registration previous,
            java.util.Collection<org.eclipse.leshan.core.observation.Observation> observations) {
          credentials.registered(reg.getEndpoint());
        }

        @Override
        public void updated(org.eclipse.leshan.server.registration.RegistrationUpdate update, Registration updated,
            Registration previous) {
          credentials.updated(updated.getEndpoint());
        }

        @Override
        public void unregistered(Registration reg, java.util.Collection<org.eclipse.leshan.core.observation.Observation> o,
            boolean expired, Registration newReg) {
        }
      });
      RegistrationGate gate = installGate(provider);
      server.getRegistrationService().addListener(gate);
      if (config.knownSourceRule() == KnownSources.Rule.REACHABLE) {
        // an update reaches /rd/<id>, a location only the registering address was given: it proves the address
        server.getRegistrationService().addListener(new UpdateProof(knownSources));
      }
      server.getPresenceService().addListener(endpoints);
      server.getObservationService().addListener(endpoints);
      server.getSendService().addListener(endpoints);
      server.start();
      List<String> names = new ArrayList<>();
      config.udpListeners().keySet().forEach(l -> names.add("udp:" + l));
      config.dtlsListeners().keySet().forEach(l -> names.add("dtls:" + l));
      List<LwM2mServerEndpoint> bound = server.getEndpoints();
      for (int i = 0; i < bound.size(); i++) {
        EndpointUri uri = bound.get(i).getURI();
        String name = i < names.size() ? names.get(i) : "udp:default";
        listenerNames.put(uri, name);
        listeners.add(new ListenerInfo("lwm2m", name, new InetSocketAddress(uri.getHost(), uri.getPort()),
            "coaps".equals(uri.getScheme())));
        LOG.info("LwM2M listener {} on {}", name, uri);
      }
      if (config.bootstrap().enabled()) {
        Map<String, URI> servers = new java.util.HashMap<>();
        bound.forEach(e -> servers.putIfAbsent(e.getURI().getScheme(), uri(e.getURI())));
        BootstrapConfigs configs = new BootstrapConfigs(config.bootstrap().entries(), kv);
        int fromApi = configs.load().toCompletableFuture().join();
        DtlsSettings serverKeys = dtls.stream().map(DtlsListener::settings).filter(d -> d.privateKey() != null)
            .findFirst().orElse(null);
        bootstrap = new BootstrapService(config.bootstrap(), configs, ctx, credentials, config::mountpointFor, servers,
            serverKeys);
        bootstrap.start(config.californium(), dedup, config.knownSourceTtl(), config.knownSourceRule());
        listeners.addAll(bootstrap.listeners());
        LOG.info("LwM2M bootstrap server on: {} config(s) from the file, {} from the management API; {} device "
            + "credential(s) provisioned by it so far, {} of them not used to register yet",
            config.bootstrap().entries().size(), fromApi, provisioned, credentials.unused());
        api = new BootstrapApi(configs);
      } else {
        api = new BootstrapApi(null);
      }
      List<Registration> live = reattach(restored);
      gate.restored(live);
      endpoints.restore(live, waitingCommands, observations);
      if (!restored.isEmpty()) {
        LOG.info("LwM2M: {} registration(s) restored, {} with waiting commands, {} with observations to re-establish",
            restored.size(), waitingCommands.size(), observations.size());
      }
      status = AdapterStatus.RUNNING;
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      status = AdapterStatus.FAILED;
      stopQuietly();
      return CompletableFuture.failedFuture(new IllegalStateException(
          "LwM2M gateway failed to start on " + config.udpListeners() + " " + config.dtlsListeners().keySet() + ": " + e.getMessage(), e));
    }
  }

  /**
   * Puts the {@link RegistrationGate} in front of Leshan's {@code rd} resource: registrations are capped and
   * rate-limited per listener before Leshan parses them.
   */
  /**
   * The listener-wide max_datagram_rate, and none while {@code californium.max_backlog} tasks wait in the protocol
   * stage of Leshan's server (ours, {@link #stage}).
   */
  private DatagramBudget budget(String listener, ListenerLimits l) {
    BacklogExecutor s = stage;
    return DatagramBudget.of(listener, l.maxDatagramRate(), s::waiting, config.californium().maxBacklog(), ctx.metrics());
  }

  private RegistrationGate installGate(CaliforniumServerEndpointsProvider provider) {
    org.eclipse.californium.core.server.resources.Resource root = provider.getCoapServer().getRoot();
    org.eclipse.californium.core.server.resources.Resource rd = root.getChild("rd");
    RegistrationGate gate = new RegistrationGate(rd, config::limits, this::listenerName,
        this::listenerName, ep -> registrations.getRegistrationByEndpoint(ep) != null, config.maxObjectLinks(),
        ctx.metrics());
    root.delete(rd);
    root.add(gate);
    return gate;
  }

  /** The listener name of a Californium endpoint, by its port (each listener binds its own). */
  private String listenerName(org.eclipse.californium.core.network.Endpoint ep) {
    int port = ep.getAddress().getPort();
    return listenerNames.entrySet().stream().filter(e -> e.getKey().getPort() == port).map(Map.Entry::getValue)
        .findFirst().orElse("udp:default");
  }

  /**
   * The restored registrations as they are now in the store (a device may have registered again
   * meanwhile), each pointed at a server endpoint that exists (a listener may have moved).
   */
  private List<Registration> reattach(List<Registration> restored) {
    List<Registration> now = new ArrayList<>();
    List<LwM2mServerEndpoint> bound = server.getEndpoints();
    for (Registration r : restored) {
      Registration current = registrations.getRegistrationByEndpoint(r.getEndpoint());
      if (current == null || !current.getId().equals(r.getId())) {
        continue;
      }
      EndpointUri used = current.getEndpointUri();
      if (bound.stream().noneMatch(e -> e.getURI().equals(used))) {
        EndpointUri uri = bound.stream().filter(e -> e.getURI().getScheme().equals(used.getScheme())).findFirst()
            .orElse(bound.get(0)).getURI();
        current = RegistrationJson.withEndpointUri(current, uri);
        registrations.replaceInMemory(current);
      }
      now.add(current);
    }
    return now;
  }

  /** A Leshan endpoint URI as a {@link URI} ({@code scheme://host:port}). */
  static URI uri(EndpointUri u) {
    return Lwm2mUris.toUri(u);
  }

  private String listenerName(Registration reg) {
    EndpointUri used = reg.getEndpointUri();
    return used == null ? "udp:default" : listenerNames.getOrDefault(used, "udp:default");
  }

  @Override
  public synchronized CompletionStage<Void> stop(Duration grace) {
    status = AdapterStatus.STOPPING;
    stopQuietly();
    status = AdapterStatus.STOPPED;
    return CompletableFuture.completedFuture(null);
  }

  private void stopQuietly() {
    if (registrations != null) {
      registrations.freeze();
    }
    if (journal != null) {
      journal.freeze();
    }
    if (observed != null) {
      observed.freeze();
    }
    if (bootstrap != null) {
      bootstrap.stop();
    }
    if (endpoints != null) {
      endpoints.shutdown();
    }
    if (server != null) {
      try {
        server.destroy();
      } catch (RuntimeException e) {
        LOG.debug("LwM2M server stop failed", e);
      }
    }
    if (workers != null) {
      workers.shutdown();
      try {
        workers.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // writes issued before the freeze are the gateway's to finish: it drains its store executor
  }

  /** Whether {@code endpoint}'s broker session is open and subscribed to its command topic. */
  public boolean sessionReady(String endpoint) {
    Endpoints e = endpoints;
    return e != null && e.ready(endpoint);
  }

  /** Whether {@code endpoint} is registered and reachable now (a queue-mode device outside its awake window is not). */
  public boolean isAwake(String endpoint) {
    LeshanServer s = server;
    Registration reg = s == null ? null : s.getRegistrationService().getByEndpoint(endpoint);
    return reg != null && (!reg.usesQueueMode() || s.getPresenceService().isClientAwake(reg));
  }

  /** {@code /api/v5/gateways/lwm2m/bootstrap/configs}: see {@link BootstrapApi}. */
  @Override
  public AdapterApi api() {
    return api;
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
