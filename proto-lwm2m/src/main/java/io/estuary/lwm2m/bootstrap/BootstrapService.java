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
import io.estuary.cf.DtlsSettings;
import io.estuary.lwm2m.security.Credentials;
import io.estuary.lwm2m.security.DtlsListener;
import io.estuary.lwm2m.security.ProvisionedCredentials;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.eclipse.californium.elements.config.Configuration;
import io.estuary.cf.DedupCap;
import io.estuary.cf.LimitedConnector;
import io.estuary.cf.ListenerLimits;
import io.estuary.cf.SourceDatagramFilter;
import io.estuary.cf.DatagramBudget;
import io.estuary.cf.SourceLimiter;
import io.estuary.lwm2m.registration.LimitedCoapsEndpointFactory;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.Connector;
import org.eclipse.leshan.server.californium.bootstrap.endpoint.coap.CoapBootstrapServerEndpointFactory;
import org.eclipse.leshan.server.californium.bootstrap.endpoint.coaps.CoapsBootstrapServerEndpointFactory;
import org.eclipse.leshan.core.request.BindingMode;
import org.eclipse.leshan.server.bootstrap.BootstrapConfig;
import org.eclipse.leshan.server.bootstrap.BootstrapConfigStore;
import org.eclipse.leshan.server.bootstrap.BootstrapFailureCause;
import org.eclipse.leshan.server.bootstrap.BootstrapSession;
import org.eclipse.leshan.server.bootstrap.BootstrapSessionAdapter;
import org.eclipse.leshan.server.bootstrap.LeshanBootstrapServer;
import org.eclipse.leshan.server.bootstrap.LeshanBootstrapServerBuilder;
import org.eclipse.leshan.server.bootstrap.endpoint.LwM2mBootstrapServerEndpoint;
import org.eclipse.leshan.server.californium.bootstrap.endpoint.CaliforniumBootstrapServerEndpointsProvider;
import org.eclipse.leshan.server.californium.bootstrap.endpoint.coap.CoapBootstrapServerProtocolProvider;
import org.eclipse.leshan.server.californium.bootstrap.endpoint.coaps.CoapsBootstrapServerProtocolProvider;
import org.eclipse.leshan.server.security.BootstrapSecurityStoreAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leshan's bootstrap server on listeners of its own. For an endpoint with a bootstrap config it deletes the
 * device's security and server objects (Leshan clients keep their bootstrap account) and writes one LwM2M
 * server account pointing at the gateway (coap, or coaps with a PSK, a raw public key or an X.509
 * certificate it provisions into the gateway's security store first: {@link DeviceSecurity}), then publishes {@code started} / {@code finished} / {@code failed} on
 * {@code <mountpoint>up/bootstrap}. Leshan calls in on its Californium threads.
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
  private final List<SourceLimiter> limiters = new java.util.concurrent.CopyOnWriteArrayList<>();
  /**
   * The config handed to each running bootstrap session (Leshan asks the store more than once per session:
   * one generated key per session), with what the events report; removed when the session ends.
   */
  private final Map<String, Handed> sessions = new java.util.concurrent.ConcurrentHashMap<>();

  private record Handed(BootstrapConfig config, String serverUri, String security) {}
  private LeshanBootstrapServer server;
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

  /** Binds the listeners; {@code cfSettings} is the Californium tuning of the LwM2M server. */
  public void start(CfSettings cfSettings, DedupCap dedup) {
    Configuration cf = cfSettings.toConfiguration();
    maxBacklog = cfSettings.maxBacklog();
    stage = BacklogExecutor.named(cfSettings.protocolThreads(), "lwm2m-bs-stage-");
    for (URI u : lwm2mServer.values()) {
      if (settings.serverHost().isEmpty() && (u.getHost().equals("0.0.0.0") || u.getHost().equals("::")
          || u.getHost().equals("[::]"))) {
        throw new IllegalArgumentException("gateway.lwm2m.bootstrap.server_host: the address devices reach the LwM2M "
            + "server at (its listener binds " + u.getHost() + ")");
      }
    }
    List<DtlsListener> dtls = List.copyOf(settings.dtlsListeners().values());
    if (!dtls.isEmpty()) {
      cf = dtls.get(0).settings().configuration(cf);
    }
    CaliforniumBootstrapServerEndpointsProvider.Builder eps = new CaliforniumBootstrapServerEndpointsProvider.Builder(
        new CoapBootstrapServerProtocolProvider(), new CoapsBootstrapServerProtocolProvider()).setConfiguration(cf);
    // datagrams pass the listener's per-source rate before Californium parses them (DTLS: before Scandium reads a
    // record); dropped ones are counted with the LwM2M server's (lwm2m.datagrams.dropped)
    Configuration dtlsCf = cf;
    settings.udpListeners().forEach((name, a) -> {
      SourceLimiter limiter = limiter("udp:" + name);
      eps.addEndpoint(new CoapBootstrapServerEndpointFactory(LimitedCoapsEndpointFactory.uri("coap", a)) {
        @Override
        protected Connector createConnector(InetSocketAddress address, Configuration configuration) {
          return new LimitedConnector(super.createConnector(address, configuration), limiter);
        }

        @Override
        protected CoapEndpoint.Builder createEndpointBuilder(InetSocketAddress address, Configuration configuration,
            LeshanBootstrapServer server) {
          return dedup.equip(super.createEndpointBuilder(address, configuration, server), configuration);
        }
      });
    });
    settings.dtlsListeners().forEach((name, l) -> {
      SourceLimiter limiter = limiter("dtls:" + name);
      eps.addEndpoint(new CoapsBootstrapServerEndpointFactory(LimitedCoapsEndpointFactory.uri("coaps", l.bind()), null,
          null, b -> SourceDatagramFilter.install(b, dtlsCf, limiter), b -> dedup.equip(b, dtlsCf)));
    });
    CaliforniumBootstrapServerEndpointsProvider provider = (CaliforniumBootstrapServerEndpointsProvider) eps.build();
    server = new LeshanBootstrapServerBuilder()
        .setEndpointsProviders(provider)
        .setConfigStore(new Configs())
        .setSecurityStore(new BootstrapSecurityStoreAdapter(Credentials.store(dtls)))
        .build();
    server.addListener(new Events());
    // our protocol-stage executor: the listeners shed datagrams past max_backlog (as the LwM2M server's)
    provider.getCoapServer().setExecutors(stage,
        org.eclipse.californium.elements.util.ExecutorsUtil.newDefaultSecondaryScheduler("lwm2m-bs-timer#"), false);
    server.start();
    List<String> names = new ArrayList<>();
    settings.udpListeners().keySet().forEach(n -> names.add("bootstrap-udp:" + n));
    settings.dtlsListeners().keySet().forEach(n -> names.add("bootstrap-dtls:" + n));
    List<LwM2mBootstrapServerEndpoint> bound = server.getEndpoints();
    for (int i = 0; i < bound.size(); i++) {
      URI uri = bound.get(i).getURI();
      String name = i < names.size() ? names.get(i) : "bootstrap";
      listeners.add(new ListenerInfo("lwm2m", name, new InetSocketAddress(uri.getHost(), uri.getPort()),
          "coaps".equals(uri.getScheme())));
      LOG.info("LwM2M bootstrap listener {} on {} ({} bootstrap config(s))", name, uri, settings.entries().size());
    }
  }

  private SourceLimiter limiter(String listener) {
    ListenerLimits l = settings.limits(listener);
    SourceLimiter limiter = new SourceLimiter("lwm2m bootstrap-" + listener, l.sourceRate(), l.maxSources(),
        ctx.metrics().counter("datagrams.dropped"), DatagramBudget.of("lwm2m bootstrap-" + listener, l.maxDatagramRate(),
            stage::waiting, maxBacklog, ctx.metrics()));
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

  public List<ListenerInfo> listeners() {
    return List.copyOf(listeners);
  }

  public void stop() {
    if (server != null) {
      try {
        server.destroy();
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

  /** The bootstrap config of a session's endpoint; null (Leshan: NO_BOOTSTRAP_CONFIG) when none applies. */
  private final class Configs implements BootstrapConfigStore {
    @Override
    public BootstrapConfig get(BootstrapSession session) {
      Handed before = sessions.get(session.getId());
      if (before != null) {
        return before.config();
      }
      if (sessions.size() >= 10_000) {
        return null; // bounded: sessions end (or fail) within Leshan's request timeouts
      }
      String ep = session.getEndpoint();
      BootstrapEntry e = configs.entryFor(ep);
      if (e == null) {
        return null;
      }
      boolean secure = e.security() != BootstrapEntry.Security.NONE;
      URI uri = serverUri(secure ? "coaps" : "coap");
      if (uri == null) {
        LOG.warn("LwM2M bootstrap of {}: the LwM2M server has no {} listener", ep, secure ? "DTLS" : "UDP");
        return null;
      }
      BootstrapConfig.ServerSecurity sec = new BootstrapConfig.ServerSecurity();
      sec.uri = uri.toString();
      sec.bootstrapServer = false;
      sec.serverId = settings.shortServerId();
      if (!DeviceSecurity.write(e, ep, sec, credentials, serverKeys)) {
        return null;
      }
      BootstrapConfig.ServerConfig srv = new BootstrapConfig.ServerConfig();
      srv.shortId = settings.shortServerId();
      srv.lifetime = (int) Math.min(Integer.MAX_VALUE, e.lifetime().toSeconds());
      srv.binding = e.queueMode() ? EnumSet.of(BindingMode.U, BindingMode.Q) : EnumSet.of(BindingMode.U);
      srv.notifIfDisabled = true;
      BootstrapConfig bc = new BootstrapConfig();
      bc.autoIdForSecurityObject = true;
      bc.toDelete = List.of("/0", "/1");
      bc.security.put(1, sec);
      bc.servers.put(0, srv);
      sessions.put(session.getId(), new Handed(bc, sec.uri, e.security().name().toLowerCase(java.util.Locale.ROOT)));
      return bc;
    }
  }

  /** Bootstrap events on {@code <mountpoint>up/bootstrap}. */
  private final class Events extends BootstrapSessionAdapter {
    @Override
    public void authorized(BootstrapSession session) {
      publish(session, "started", null);
    }

    @Override
    public void end(BootstrapSession session) {
      publish(session, "finished", null);
      sessions.remove(session.getId());
    }

    @Override
    public void failed(BootstrapSession session, BootstrapFailureCause cause) {
      publish(session, "failed", cause.name().toLowerCase(java.util.Locale.ROOT));
      sessions.remove(session.getId());
    }
  }

  private void publish(BootstrapSession session, String event, String reason) {
    String ep = session.getEndpoint();
    ObjectNode out = JSON.createObjectNode();
    out.put("msgType", "bootstrap");
    ObjectNode data = out.putObject("data");
    data.put("ep", ep);
    data.put("event", event);
    if (reason != null) {
      data.put("reason", reason);
    }
    Handed handed = sessions.get(session.getId());
    if (handed != null) {
      data.put("serverUri", handed.serverUri());
      data.put("security", handed.security());
    }
    Mountpoint mp = Mountpoint.of(mountpointFor.apply(ep));
    InetSocketAddress peer = session.getClientTransportData() instanceof org.eclipse.leshan.core.peer.IpPeer ip
        ? ip.getSocketAddress() : null;
    ClientInfo publisher = new ClientInfo(ep, null, "lwm2m", "bootstrap", peer, mp.prefix());
    Message m = new Message(mp.mountTopic("up/bootstrap"), Payload.wrapOwned(out.toString().getBytes(StandardCharsets.UTF_8)),
        0, false, null, ctx.clock().millis());
    ctx.publish(publisher, m).whenComplete((r, err) -> {
      if (err != null) {
        LOG.debug("LwM2M bootstrap event of {} not published: {}", ep, err.toString());
      }
    });
  }
}
