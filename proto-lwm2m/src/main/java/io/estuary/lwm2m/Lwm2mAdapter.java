package io.estuary.lwm2m;

import io.estuary.core.api.AdapterStatus;
import io.estuary.core.api.GatewayContext;
import io.estuary.core.api.ListenerInfo;
import io.estuary.core.api.ProtocolAdapter;
import io.estuary.lwm2m.registration.Endpoints;
import io.estuary.lwm2m.security.LifetimeAuthorizer;
import java.net.InetSocketAddress;
import java.net.URI;
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
import org.eclipse.leshan.core.endpoint.Protocol;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.LeshanServerBuilder;
import org.eclipse.leshan.server.californium.endpoint.CaliforniumServerEndpointsProvider;
import org.eclipse.leshan.server.californium.endpoint.coap.CoapServerProtocolProvider;
import org.eclipse.leshan.server.endpoint.LwM2mServerEndpoint;
import org.eclipse.leshan.server.model.VersionedModelProvider;
import org.eclipse.leshan.server.queue.StaticClientAwakeTimeProvider;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.security.DefaultAuthorizer;
import org.eclipse.leshan.server.security.InMemorySecurityStore;
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
  private final Map<URI, String> listenerNames = new ConcurrentHashMap<>();
  private volatile AdapterStatus status = AdapterStatus.STOPPED;
  private volatile LeshanServer server;
  private ExecutorService workers;
  private Endpoints endpoints;

  public Lwm2mAdapter(Lwm2mConfig config, GatewayContext ctx) {
    this.config = config;
    this.ctx = ctx;
  }

  @Override
  public synchronized CompletionStage<Void> start() {
    status = AdapterStatus.STARTING;
    try {
      Configuration cf = config.californium().toConfiguration();
      CaliforniumServerEndpointsProvider.Builder eps =
          new CaliforniumServerEndpointsProvider.Builder(new CoapServerProtocolProvider()).setConfiguration(cf);
      config.udpListeners().values().forEach(a -> eps.addEndpoint(a, Protocol.COAP));
      server = new LeshanServerBuilder()
          .setEndpointsProviders(eps.build())
          .setObjectModelProvider(new VersionedModelProvider(ObjectModels.load(config.xmlDir())))
          .setAuthorizer(new LifetimeAuthorizer(config.lifetimeMin(), config.lifetimeMax(),
              new DefaultAuthorizer(new InMemorySecurityStore())))
          .setClientAwakeTimeProvider(new StaticClientAwakeTimeProvider((int) config.qmodeTimeWindow().toMillis()))
          .build();
      AtomicInteger n = new AtomicInteger();
      workers = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "lwm2m-worker-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      endpoints = new Endpoints(config, ctx, new LeshanDownlink(server), workers, this::listenerName);
      server.getRegistrationService().addListener(endpoints);
      server.getPresenceService().addListener(endpoints);
      server.getObservationService().addListener(endpoints);
      server.getSendService().addListener(endpoints);
      server.start();
      List<String> names = new ArrayList<>(config.udpListeners().keySet());
      List<LwM2mServerEndpoint> bound = server.getEndpoints();
      for (int i = 0; i < bound.size(); i++) {
        URI uri = bound.get(i).getURI();
        String name = "udp:" + (i < names.size() ? names.get(i) : "default");
        listenerNames.put(uri, name);
        listeners.add(new ListenerInfo("lwm2m", name, new InetSocketAddress(uri.getHost(), uri.getPort()), false));
        LOG.info("LwM2M listener {} on {}", name, uri);
      }
      status = AdapterStatus.RUNNING;
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      status = AdapterStatus.FAILED;
      stopQuietly();
      return CompletableFuture.failedFuture(new IllegalStateException(
          "LwM2M gateway failed to start on " + config.udpListeners() + ": " + e.getMessage(), e));
    }
  }

  private String listenerName(Registration reg) {
    URI used = reg.getLastEndpointUsed();
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
  }

  /** Whether {@code endpoint} is registered and reachable now (a queue-mode device outside its awake window is not). */
  public boolean isAwake(String endpoint) {
    LeshanServer s = server;
    Registration reg = s == null ? null : s.getRegistrationService().getByEndpoint(endpoint);
    return reg != null && (!reg.usesQueueMode() || s.getPresenceService().isClientAwake(reg));
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
