package io.estuary.core.server;

import io.estuary.api.GatewayContext;
import io.estuary.api.ListenerInfo;
import io.estuary.api.ProtocolAdapter;
import io.estuary.api.ProtocolAdapterFactory;
import io.estuary.core.auth.AuthSetup;
import io.estuary.core.config.GatewayConfig;
import io.estuary.core.config.TypesafeAdapterConfig;
import io.estuary.core.config.ConfigError;
import io.estuary.core.management.ApiKeys;
import io.estuary.core.management.ManagementApi;
import io.estuary.core.management.OwnerOnlyFiles;
import io.estuary.core.management.MicrometerMetrics;
import io.estuary.core.management.SysTopics;
import io.estuary.core.hooks.HookChain;
import io.estuary.core.hooks.HooksConfig;
import io.estuary.core.hooks.PluginLoader;
import io.estuary.core.session.Broker;
import io.estuary.core.store.Store;
import io.estuary.core.store.memory.MemoryStore;
import io.estuary.core.store.rocksdb.RocksDbStore;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: store, broker, protocol adapters (the MQTT listeners are one of them), management
 * API and $SYS. Built by gateway-app's composition root and by the test kit; stopped once. Adapters
 * start in the order of the factories given and stop in the same order, before the broker. Each adapter
 * gets its own {@link AdapterContext}; their key-value operations run on the store executor owned here
 * ({@value #STORE_THREADS} daemon threads {@code estuary-kv-N}), drained before the store closes.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final GatewayConfig config;
  private final Store store;
  private final MicrometerMetrics metrics;
  private final Broker broker;
  private final Map<String, ProtocolAdapter> adapters = new LinkedHashMap<>();
  private final Map<String, AdapterContext> contexts = new LinkedHashMap<>();
  /** Runs adapters' key-value operations (reads may touch the disk): never an I/O thread. */
  private final ExecutorService storeExecutor;
  static final int STORE_THREADS = 2;
  private final ManagementApi api;
  private final ApiKeys apiKeys;
  private final SysTopics sys;
  private final HookChain hooks;
  /** The adapters' session watches ({@code GatewayContext.watchSession}); the broker's session events go through them. */
  private final SessionWatches sessionWatches;
  private final AuthSetup auth;
  /** Per-client packet traces, files in {@code <persistence.dir>/trace/}. */
  private final io.estuary.core.trace.ClientTraces traces;
  private final io.estuary.core.webhooks.WebhookPlugin webhooks;
  /** Where {@link #reload} reads the config from: the file again (gateway-app), else the config started with. */
  private volatile java.util.function.Supplier<GatewayConfig> reloadSource;
  private InetSocketAddress apiAddress;
  private boolean stopped;

  /** The file {@code estuary ctl} reads its local key and the API's address from, in {@code persistence.dir}. */
  public static final String CTL_KEY_FILE = "ctl.key";
  /** Client traces ({@code estuary ctl trace start client=ID}), in {@code persistence.dir}. */
  public static final String TRACE_DIR = "trace";
  /** Created API keys (hashed), in {@code persistence.dir}. */
  public static final String API_KEYS_FILE = "api_keys";

  private Gateway(GatewayConfig config, List<io.estuary.api.hooks.HookPlugin> plugins,
      Function<GatewayConfig, Store> storeFactory, Clock clock) {
    this.config = config;
    Path dataDir = config.persistence().dir();
    if (config.persistence().enabled() || config.managementBind() != null) {
      try {
        OwnerOnlyFiles.createDirectory(dataDir); // 0700: the store, API key hashes and ctl.key live here
      } catch (java.io.IOException e) {
        throw new ConfigError("persistence.dir", dataDir.toString(), "a directory the gateway can create (" + e.getMessage() + ")");
      }
    }
    this.store = storeFactory.apply(config);
    this.traces = new io.estuary.core.trace.ClientTraces(dataDir.resolve(TRACE_DIR), clock);
    this.metrics = new MicrometerMetrics();
    store.registerMetrics(metrics);
    var auth = config.auth();
    this.auth = new AuthSetup(auth, config.raw(), clock);
    this.broker = new Broker(config.nodeName(), config.mqtt(), store, this.auth.authenticator(), this.auth.authorizer(),
        metrics, clock);
    this.storeExecutor = Executors.newFixedThreadPool(STORE_THREADS, daemon("estuary-kv"));
    HooksConfig hooksConfig = HooksConfig.from(config.raw());
    this.webhooks = Webhooks.fromConfig(config.raw(), clock);
    List<io.estuary.api.hooks.HookPlugin> all = new ArrayList<>(plugins);
    if (webhooks != null) {
      all.add(webhooks);
      metrics.monotonic("webhooks.refused", webhooks::refused, "reason", "max_inflight");
      metrics.monotonic("webhooks.registrations.refused", webhooks::registrationsRefused, "reason", "max_registrations");
      metrics.gauge("webhooks.registrations.count", webhooks::registrations);
      for (io.estuary.core.webhooks.WebhookFailure f : io.estuary.core.webhooks.WebhookFailure.values()) {
        metrics.monotonic("webhooks.failed", () -> webhooks.failed(f), "reason", f.tag());
      }
    }
    io.estuary.core.auth.HttpAuthzPlugin httpAuthz = this.auth.httpAuthz(config.raw());
    if (httpAuthz != null) {
      all.add(httpAuthz);
    }
    this.hooks = new HookChain(PluginLoader.load(hooksConfig, all), hooksConfig, metrics);
    // the hook chain's events ask has(hook) first: one volatile read when nobody listens
    this.sessionWatches = new SessionWatches(broker, hooks.plugins().isEmpty() ? null : hooks);
    broker.events(sessionWatches);
    String bootstrap = config.api().bootstrapFile();
    this.apiKeys = config.managementBind() == null ? null
        : ApiKeys.load(dataDir.resolve(API_KEYS_FILE), bootstrap.isEmpty() ? null : Path.of(bootstrap));
    this.api = new ManagementApi(broker, metrics, this::listeners, () -> Map.copyOf(adapters), config.api(), apiKeys);
    this.sys = new SysTopics(broker, metrics);
    this.reloadSource = () -> config;
    api.extraRoutes(new GatewayRoutes(this, webhooks));
  }

  /** Where {@link #reload} reads the config from (gateway-app: the config file and environment again). */
  public void reloadFrom(java.util.function.Supplier<GatewayConfig> source) {
    this.reloadSource = source;
  }

  /**
   * SIGHUP / {@code estuary ctl reload}: reads the config again and rebuilds the auth sources (password
   * file, ACL file, users and rules) without touching connections: connected clients stay, their next
   * checks use the new sources and every session forgets its cached delivery decisions. A config error
   * changes nothing and is thrown.
   */
  public synchronized void reload() {
    GatewayConfig next = reloadSource.get();
    auth.reload(next.auth(), next.raw());
    broker.aclChanged();
    LOG.info("reloaded");
  }

  /** The webhooks plugin, or null when {@code webhooks.enable} is false. */
  public io.estuary.core.webhooks.WebhookPlugin webhooks() {
    return webhooks;
  }

  /** Starts everything; on failure stops what had started and rethrows. */
  public static Gateway start(GatewayConfig config, List<ProtocolAdapterFactory> factories, Function<GatewayConfig, Store> storeFactory, Clock clock) {
    return start(config, factories, List.of(), storeFactory, clock);
  }

  /**
   * As above, with {@code plugins} in the hook chain besides those {@code ServiceLoader} finds on the class
   * path and in {@code hooks.plugins_dir}.
   */
  public static Gateway start(GatewayConfig config, List<ProtocolAdapterFactory> factories,
      List<io.estuary.api.hooks.HookPlugin> plugins, Function<GatewayConfig, Store> storeFactory, Clock clock) {
    Gateway g = new Gateway(config, plugins, storeFactory, clock);
    try {
      g.startAll(factories);
      return g;
    } catch (RuntimeException e) {
      g.close();
      throw e;
    }
  }

  /** The in-memory store, whatever the config says (tests). */
  public static Store memoryStore(GatewayConfig config) {
    return new MemoryStore();
  }

  /**
   * The store the config asks for: RocksDB in {@code persistence.dir} when {@code persistence.enabled}
   * (a directory locked by another process is a {@code ConfigError}), memory otherwise.
   */
  public static Store defaultStore(GatewayConfig config) {
    return config.persistence().enabled() ? RocksDbStore.open(config.persistence())
        : new MemoryStore(config.persistence().memoryMaxBytes());
  }

  private void startAll(List<ProtocolAdapterFactory> factories) {
    LOG.info("starting Estuary {} as node {}", SysTopics.VERSION, config.nodeName());
    if (config.auth().allowAnonymous()) {
      LOG.warn("anonymous clients are allowed; set authentication.allow_anonymous = false to require credentials");
    }
    hooks.start(p -> new PluginSettings(p.name(), config, broker));
    broker.recover();
    for (ProtocolAdapterFactory f : factories) {
      String path = f.configPath(); // "" = the root (the MQTT listeners read listeners.* and mqtt.*)
      if (!path.isEmpty() && !config.raw().hasPath(path)) {
        LOG.warn("adapter {} found but has no config block {}; skipped", f.protocol(), path);
        continue;
      }
      var block = new TypesafeAdapterConfig(path, path.isEmpty() ? config.raw() : config.raw().getConfig(path));
      if (block.has("enable") && !block.getBoolean("enable")) {
        LOG.info("adapter {} disabled ({}.enable = false)", f.protocol(), path);
        continue;
      }
      ProtocolAdapter a = f.create(block, context(f.protocol(), AdapterContext.metricPrefix(f.protocol())));
      adapters.put(f.protocol(), a);
      join(a.start());
      for (ListenerInfo l : a.listeners()) {
        LOG.info("listener {} {} on {}:{}{}", l.protocol(), l.name(), l.address().getHostString(), l.address().getPort(),
            l.secure() ? " (DTLS/TLS)" : "");
      }
    }
    if (config.managementBind() != null) {
      apiAddress = api.start();
      if (config.api().localKey()) {
        writeCtlKey();
      }
    }
    sys.start(config.sysInterval());
    LOG.info("Estuary started: {} listeners", listeners().size());
  }

  /**
   * {@code <persistence.dir>/ctl.key} (0600): the API's URL and a key made for this run, so {@code estuary
   * ctl} run by the same user on this machine needs no flags. Anyone who can read the file can use the API,
   * which is why the directory is 0700 and the file 0600.
   */
  private void writeCtlKey() {
    ApiKeys.Created local = apiKeys.createLocal();
    var a = apiAddress.getAddress();
    String host = a.isAnyLocalAddress() ? (a instanceof java.net.Inet6Address ? "[::1]" : "127.0.0.1")
        : (a instanceof java.net.Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress());
    StringBuilder sb = new StringBuilder("# estuary ctl: the management API of the gateway running on this machine.\n")
        .append("# Rewritten at every start; readable by its owner only. Do not copy it elsewhere.\n")
        .append("url=").append(api.secure() ? "https" : "http").append("://").append(host).append(':').append(apiAddress.getPort()).append('\n')
        .append("key=").append(local.key()).append('\n')
        .append("secret=").append(local.secret()).append('\n');
    if (api.secure()) {
      sb.append("certfile=").append(Path.of(config.api().tls().certFile()).toAbsolutePath()).append('\n');
    }
    Path f = config.persistence().dir().resolve(CTL_KEY_FILE);
    try {
      OwnerOnlyFiles.write(f, sb.toString());
    } catch (java.io.IOException e) {
      LOG.warn("cannot write {} for estuary ctl: {}", f, e.getMessage());
    }
  }

  /** The management API's keys, or null when the API is disabled. */
  public ApiKeys apiKeys() {
    return apiKeys;
  }

  private AdapterContext context(String protocol, String metricPrefix) {
    AdapterContext c = new AdapterContext(protocol, broker, store, storeExecutor, metrics, metricPrefix, hooks);
    c.traces(traces);
    c.watches(sessionWatches);
    contexts.put(protocol, c);
    return c;
  }

  private static java.util.concurrent.ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static void join(java.util.concurrent.CompletionStage<Void> s) {
    try {
      s.toCompletableFuture().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  public Broker broker() {
    return broker;
  }

  /** The context the gateway gave the adapter of {@code protocol} ("mqtt" for the MQTT listener), or null. */
  public GatewayContext context(String protocol) {
    return contexts.get(protocol);
  }

  /** The clients being traced. */
  public io.estuary.core.trace.ClientTraces traces() {
    return traces;
  }

  /** The plugins and the hook threads. */
  public HookChain hooks() {
    return hooks;
  }

  public MicrometerMetrics metrics() {
    return metrics;
  }

  public GatewayConfig config() {
    return config;
  }

  public Store store() {
    return store;
  }

  public InetSocketAddress apiAddress() {
    return apiAddress;
  }

  public List<ListenerInfo> listeners() {
    List<ListenerInfo> out = new ArrayList<>();
    adapters.values().forEach(a -> out.addAll(a.listeners()));
    return out;
  }

  public ProtocolAdapter adapter(String protocol) {
    return adapters.get(protocol);
  }

  /**
   * Graceful stop: no new connections, every client disconnected with "server shutting down", store
   * flushed and closed.
   */
  /** Lets adapters' queued key-value writes reach the store before it closes. */
  private void drainStoreExecutor() {
    storeExecutor.shutdown();
    try {
      if (!storeExecutor.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("adapter key-value operations still running after {}; closing the store anyway", config.shutdownGrace());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public synchronized void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    LOG.info("stopping Estuary");
    sys.stop();
    for (var e : adapters.entrySet()) {
      try {
        e.getValue().stop(config.shutdownGrace()).toCompletableFuture().join();
      } catch (RuntimeException ex) {
        LOG.warn("adapter {} did not stop cleanly: {}", e.getKey(), ex.toString());
      }
    }
    broker.shutdown(config.shutdownGrace());
    traces.close();
    hooks.close();
    auth.close();
    api.close();
    broker.close();
    drainStoreExecutor();
    store.close();
    LOG.info("Estuary stopped");
  }
}
