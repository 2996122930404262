package io.estuary.lwm2m.bootstrap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.estuary.api.ClientInfo;
import io.estuary.api.GatewayContext;
import io.estuary.api.ListenerInfo;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.topic.Mountpoint;
import io.estuary.cf.BacklogExecutor;
import io.estuary.cf.CfSettings;
import io.estuary.cf.DatagramBudget;
import io.estuary.cf.DedupCap;
import io.estuary.cf.DtlsSettings;
import io.estuary.cf.KnownSources;
import io.estuary.cf.LimitedConnector;
import io.estuary.cf.ListenerLimits;
import io.estuary.cf.SourceDatagramFilter;
import io.estuary.cf.SourceLimiter;
import io.estuary.cf.UnknownSourceBudget;
import io.estuary.lwm2m.security.Credentials;
import io.estuary.lwm2m.security.DtlsListener;
import io.estuary.lwm2m.security.ProvisionedCredentials;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.UDPConnector;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.leshan.core.peer.IpPeer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LwM2M bootstrap server on listeners of its own: a Californium server whose {@code /bs} resource
 * ({@link BootstrapHandler}) runs each device's bootstrap ({@link Session}). Leshan 2.0.0-M18's bootstrap
 * server artifacts are not on Maven Central, so this is ours, following Leshan's (2.0.0-M15) behaviour; the
 * LwM2M model, nodes and encoders are leshan-lwm2m-core's. For an endpoint with a bootstrap config it
 * deletes the device's security and server objects (the device keeps its bootstrap account) and writes one
 * LwM2M server account pointing at the gateway (coap, or coaps with a PSK, a raw public key or an X.509
 * certificate it provisions into the gateway's security store first: {@link DeviceSecurity}), then publishes
 * {@code started} / {@code finished} / {@code failed} on {@code <mountpoint>up/bootstrap}. Californium
 * calls in on the bootstrap server's protocol stage.
 */
public final class BootstrapService {
  private static final Logger LOG = LoggerFactory.getLogger(BootstrapService.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BootstrapSettings settings;
  private final BootstrapConfigs configs;
  private final GatewayContext ctx;
  private final ProvisionedCredentials credentials;
  private final Function<String, String> mountpointFor;
  private final Map<String, URI> lwm2mServer;
  /** The LwM2M server's DTLS key (and certificate), written as the server public key for rpk / x509; or null. */
  private final DtlsSettings serverKeys;
  private final List<ListenerInfo> listeners = new ArrayList<>();
  private final List<SourceLimiter> limiters = new CopyOnWriteArrayList<>();
  private final List<KnownSources> knownSources = new CopyOnWriteArrayList<>();
  private CoapServer server;
  private BootstrapHandler handler;
  /** The bootstrap server's protocol stage: waiting tasks bounded by {@code californium.max_backlog}. */
  private BacklogExecutor stage;
  private int maxBacklog = Integer.MAX_VALUE;

  /**
   * @param lwm2mServer the gateway's LwM2M server URI per scheme ("coap", "coaps") as bound; the host is
   *     replaced by {@code server_host} when set
   * @param serverKeys the DTLS settings of the LwM2M server's listener that has a key (the one devices
   *     bootstrapped with rpk or x509 must trust), or null when none has
   */
  public BootstrapService(BootstrapSettings settings, BootstrapConfigs configs, GatewayContext ctx,
      ProvisionedCredentials credentials, Function<String, String> mountpointFor, Map<String, URI> lwm2mServer,
      DtlsSettings serverKeys) {
    this.serverKeys = serverKeys;
    this.settings = settings;
    this.configs = configs;
    this.ctx = ctx;
    this.credentials = credentials;
    this.mountpointFor = mountpointFor;
    this.lwm2mServer = Map.copyOf(lwm2mServer);
  }

  /**
   * Binds the listeners; {@code cfSettings} is the Californium tuning of the LwM2M server, {@code knownTtl} how long
   * an address proven by {@code knownRule} stays known ({@code unknown_datagram_rate}).
   */
  public void start(CfSettings cfSettings, DedupCap dedup, Duration knownTtl, KnownSources.Rule knownRule) {
    Configuration cf = cfSettings.toConfiguration();
    maxBacklog = cfSettings.maxBacklog();
    for (URI u : lwm2mServer.values()) {
      if (settings.serverHost().isEmpty() && (u.getHost().equals("0.0.0.0") || u.getHost().equals("::")
          || u.getHost().equals("[::]"))) {
        throw new IllegalArgumentException("gateway.lwm2m.bootstrap.server_host: the address devices reach the LwM2M "
            + "server at (its listener binds " + u.getHost() + ")");
      }
    }
    stage = BacklogExecutor.named(cfSettings.protocolThreads(), "lwm2m-bs-stage-");
    server = new CoapServer(cf);
    List<CoapEndpoint> endpoints = new ArrayList<>();
    List<String> names = new ArrayList<>();
    // datagrams pass the listener's per-source rate before Californium parses them (DTLS: before Scandium reads a
    // record); dropped ones are counted with the LwM2M server's (lwm2m.datagrams.dropped)
    settings.udpListeners().forEach((name, a) -> {
      // datagrams from addresses not known (known_source_rule) share unknown_datagram_rate
      KnownSources known = new KnownSources(settings.limits("udp:" + name).maxSources(), knownTtl);
      knownSources.add(known);
      SourceLimiter limiter = limiter("udp:" + name, UnknownSourceBudget.of("lwm2m bootstrap-udp:" + name, known,
          settings.unknownDatagramRate("udp:" + name), ctx.metrics()));
      CoapEndpoint ep = dedup.equip(new CoapEndpoint.Builder().setConfiguration(cf)
          .setConnector(new LimitedConnector(new UDPConnector(a, cf), limiter)), cf).build();
      ep.addInterceptor(known.interceptor(knownRule));
      endpoints.add(ep);
      names.add("bootstrap-udp:" + name);
    });
    List<DtlsListener> dtls = List.copyOf(settings.dtlsListeners().values());
    settings.dtlsListeners().forEach((name, l) -> {
      SourceLimiter limiter = limiter("dtls:" + name, null);
      Configuration dcf = l.settings().configuration(cf);
      DtlsConnectorConfig.Builder b = DtlsConnectorConfig.builder(l.settings().connectorConfig(dcf, l.bind()));
      SourceDatagramFilter.install(b, dcf, limiter);
      endpoints.add(dedup.equip(new CoapEndpoint.Builder().setConfiguration(dcf)
          .setConnector(new DTLSConnector(b.build())), dcf).build());
      names.add("bootstrap-dtls:" + name);
    });
    handler = new BootstrapHandler(Credentials.store(dtls), new Events(), stage, ctx.metrics());
    server.add(handler);
    endpoints.forEach(server::addEndpoint);
    // our protocol-stage executor: the listeners shed datagrams past max_backlog (as the LwM2M server's)
    server.setExecutor(stage, false);
    server.start();
    for (int i = 0; i < endpoints.size(); i++) {
      InetSocketAddress a = endpoints.get(i).getAddress();
      boolean secure = names.get(i).startsWith("bootstrap-dtls:");
      listeners.add(new ListenerInfo("lwm2m", names.get(i), a, secure));
      LOG.info("LwM2M bootstrap listener {} on {}://{}:{} ({} bootstrap config(s))", names.get(i),
          secure ? "coaps" : "coap", a.getHostString(), a.getPort(), settings.entries().size());
    }
  }

  private SourceLimiter limiter(String listener, UnknownSourceBudget unknown) {
    ListenerLimits l = settings.limits(listener);
    SourceLimiter limiter = new SourceLimiter("lwm2m bootstrap-" + listener, l.sourceRate(), l.maxSources(),
        ctx.metrics().counter("datagrams.dropped"), DatagramBudget.of("lwm2m bootstrap-" + listener, l.maxDatagramRate(),
            stage::waiting, maxBacklog, ctx.metrics()), unknown);
    limiters.add(limiter);
    return limiter;
  }

  /** Source addresses the bootstrap listeners' tables forgot because they were full. */
  public long sourceEvictions() {
    return limiters.stream().mapToLong(SourceLimiter::evictions).sum();
  }

  /** Source addresses the bootstrap listeners track now. */
  public int sources() {
    return limiters.stream().mapToInt(SourceLimiter::size).sum();
  }

  /** Addresses the bootstrap UDP listeners answered with a 2.xx lately (not charged to unknown_datagram_rate). */
  public int knownSources() {
    return knownSources.stream().mapToInt(KnownSources::size).sum();
  }

  public List<ListenerInfo> listeners() {
    return List.copyOf(listeners);
  }

  public void stop() {
    if (handler != null) {
      handler.stopAll();
    }
    if (server != null) {
      try {
        server.destroy(); // and its executor (not detached)
      } catch (RuntimeException e) {
        LOG.debug("LwM2M bootstrap server stop failed", e);
      }
    }
  }

  private URI serverUri(String scheme) {
    URI u = lwm2mServer.get(scheme);
    if (u == null) {
      return null;
    }
    String host = settings.serverHost().isEmpty() ? u.getHost() : settings.serverHost();
    return URI.create(scheme + "://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
        + ":" + u.getPort());
  }

  /**
   * The plan of {@code ep}'s bootstrap config; refused with no_bootstrap_config when none applies or it cannot
   * work, with max_provisioned when the credentials it would hand out find no room.
   */
  private Planned planFor(String ep) {
    BootstrapEntry e = configs.entryFor(ep);
    if (e == null) {
      return Planned.refused(Planned.NO_BOOTSTRAP_CONFIG);
    }
    boolean secure = e.security() != BootstrapEntry.Security.NONE;
    URI uri = serverUri(secure ? "coaps" : "coap");
    if (uri == null) {
      LOG.warn("LwM2M bootstrap of {}: the LwM2M server has no {} listener", ep, secure ? "DTLS" : "UDP");
      return Planned.refused(Planned.NO_BOOTSTRAP_CONFIG);
    }
    Accounts.Security sec = new Accounts.Security();
    sec.uri = uri.toString();
    sec.serverId = settings.shortServerId();
    String failure = DeviceSecurity.write(e, ep, sec, credentials, serverKeys);
    if (failure != null) {
      return Planned.refused(failure);
    }
    return Planned.of(new Plan(sec, Accounts.server(0, settings.shortServerId(),
        Math.min(Integer.MAX_VALUE, e.lifetime().toSeconds()), e.queueMode()), sec.uri,
        e.security().name().toLowerCase(Locale.ROOT)));
  }

  /** Bootstrap events on {@code <mountpoint>up/bootstrap}; failures counted by reason. */
  private final class Events implements BootstrapHandler.Events {
    @Override
    public Planned planFor(String endpoint) {
      return BootstrapService.this.planFor(endpoint);
    }

    @Override
    public void started(String endpoint, IpPeer peer, Plan plan) {
      publish(endpoint, peer, plan, "started", null);
    }

    @Override
    public void finished(Session s) {
      publish(s.endpoint, s.peer, s.plan, "finished", null);
    }

    @Override
    public void failed(String endpoint, IpPeer peer, Plan plan, String reason) {
      ctx.metrics().counter("bootstrap.failed", "reason", reason).increment();
      publish(endpoint, peer, plan, "failed", reason);
    }
  }

  private void publish(String ep, IpPeer peer, Plan plan, String event, String reason) {
    ObjectNode out = JSON.createObjectNode();
    out.put("msgType", "bootstrap");
    ObjectNode data = out.putObject("data");
    data.put("ep", ep);
    data.put("event", event);
    if (reason != null) {
      data.put("reason", reason);
    }
    if (plan != null) {
      data.put("serverUri", plan.serverUri());
      data.put("security", plan.securityName());
    }
    Mountpoint mp = Mountpoint.of(mountpointFor.apply(ep));
    ClientInfo publisher = new ClientInfo(ep, null, "lwm2m", "bootstrap", peer == null ? null : peer.getSocketAddress(),
        mp.prefix());
    Message m = new Message(mp.mountTopic("up/bootstrap"), Payload.wrapOwned(out.toString().getBytes(StandardCharsets.UTF_8)),
        0, false, null, ctx.clock().millis());
    ctx.publish(publisher, m).whenComplete((r, err) -> {
      if (err != null) {
        LOG.debug("LwM2M bootstrap event of {} not published: {}", ep, err.toString());
      }
    });
  }
}
