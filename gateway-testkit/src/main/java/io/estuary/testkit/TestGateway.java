package io.estuary.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.estuary.api.GatewayContext;
import io.estuary.api.ListenerInfo;
import io.estuary.api.Metrics;
import io.estuary.api.ProtocolAdapter;
import io.estuary.api.ProtocolAdapterFactory;
import io.estuary.core.config.ConfigLoader;
import io.estuary.core.config.GatewayConfig;
import io.estuary.core.config.PersistenceConfig;
import io.estuary.core.server.Gateway;
import io.estuary.core.session.Broker;
import io.estuary.core.session.SessionView;
import io.estuary.core.store.Store;
import io.estuary.core.store.memory.MemoryStore;
import io.estuary.core.store.rocksdb.RocksDbStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.Map;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.ServiceLoader;

/**
 * A gateway on 127.0.0.1 with port 0 everywhere, the in-memory store, the MQTT listeners and only the
 * other adapters the test names. Every module's ITs start one of these.
 *
 * <p>The MQTT listeners are an adapter like any other (proto-mqtt's {@code MqttAdapterFactory}), added
 * by default, first, from the test class path through {@link ServiceLoader}: the test kit cannot depend
 * on proto-mqtt, whose own tests use the kit, so a module whose tests talk MQTT has proto-mqtt in test
 * scope. {@link Builder#withoutMqtt()} leaves it out.
 */
public final class TestGateway implements AutoCloseable {
  /** Loopback, port 0, only plain MQTT/TCP unless the test enables more; no $SYS noise. */
  public static final String BASE = """
      node.name = "estuary-test@127.0.0.1"
      node.shutdown_grace = 3s
      listeners.tcp.default.bind = "127.0.0.1:0"
      listeners.ssl.default { enable = false, bind = "127.0.0.1:0" }
      listeners.ws.default { enable = false, bind = "127.0.0.1:0" }
      listeners.wss.default { enable = false, bind = "127.0.0.1:0" }
      api.bind = "127.0.0.1:0"
      sys_topics.sys_msg_interval = 0s
      # the in-memory store is uncapped in tests unless a test sets its own cap (the shipped default is a heap share)
      persistence.memory_max_bytes = 0
      """;

  /** The MQTT listeners' protocol tag. */
  public static final String MQTT = "mqtt";

  /** The management API key every test gateway accepts (from its bootstrap file); see {@link #apiAuthorization()}. */
  public static final String API_KEY = "estuary-test";
  /** {@link #API_KEY}'s secret. */
  public static final String API_SECRET = "test-secret-0123456789";

  private final Gateway gateway;
  private final Path tempDir;

  private TestGateway(Gateway gateway, Path tempDir) {
    this.gateway = gateway;
    this.tempDir = tempDir;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder: config snippets merge in order, later wins. */
  public static final class Builder {
    private final List<String> snippets = new ArrayList<>();
    private final List<ProtocolAdapterFactory> factories = new ArrayList<>();
    private final List<io.estuary.api.hooks.HookPlugin> plugins = new ArrayList<>();
    private Store store;
    private Path persistenceDir;
    private Clock clock = Clock.systemUTC();
    private boolean mqtt = true;

    public Builder config(String hocon) {
      snippets.add(hocon);
      return this;
    }

    public Builder adapter(ProtocolAdapterFactory f) {
      factories.add(f);
      return this;
    }

    /** A hook plugin in the chain (after those of {@code hooks.order}, by name, like every plugin). */
    public Builder plugin(io.estuary.api.hooks.HookPlugin p) {
      plugins.add(p);
      return this;
    }

    /** No MQTT listeners (a test of another adapter that wants nothing else bound). */
    public Builder withoutMqtt() {
      mqtt = false;
      return this;
    }

    /** Shares a store across restarts of a test gateway (recovery tests). */
    public Builder store(Store s) {
      store = s;
      return this;
    }

    /** Shares a {@link TestStore} across restarts of a test gateway; the test closes it. */
    public Builder store(TestStore s) {
      return store(s.store());
    }

    /**
     * Runs on RocksDB in {@code dir} (the shipped persistence defaults): the gateway opens it at start and
     * closes it at close, so the next gateway on the same {@code dir} recovers what this one stored.
     */
    public Builder persistence(Path dir) {
      persistenceDir = dir;
      return this;
    }

    public Builder clock(Clock c) {
      clock = c;
      return this;
    }

    public TestGateway start() {
      // the data directory (API keys, ctl.key) and the API's bootstrap key live in a fresh temp dir
      Path temp;
      try {
        temp = Files.createTempDirectory("estuary-test-");
        Files.writeString(temp.resolve("api-bootstrap.txt"), API_KEY + ":" + API_SECRET + "\n");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Path data = persistenceDir != null ? persistenceDir : temp.resolve("data");
      Config c = ConfigFactory.parseMap(Map.of(
          "persistence.dir", data.toString(), "api.bootstrap_file", temp.resolve("api-bootstrap.txt").toString()))
          .withFallback(ConfigFactory.parseString(BASE));
      for (String s : snippets) {
        c = ConfigFactory.parseString(s).withFallback(c);
      }
      GatewayConfig cfg = ConfigLoader.bind(c);
      Function<GatewayConfig, Store> stores;
      if (persistenceDir != null) {
        // the shipped defaults, with the test's persistence.max_bytes / max_pending_* (issue #13)
        stores = x -> RocksDbStore.open(PersistenceConfig.at(persistenceDir).withMaxBytes(x.persistence().maxBytes())
            .withMaxPendingWrites(x.persistence().maxPendingWrites(), x.persistence().maxPendingBytes()));
      } else {
        Store st = store != null ? new NonClosingStore(store) : new MemoryStore(cfg.persistence().memoryMaxBytes());
        stores = x -> st;
      }
      try {
        return new TestGateway(Gateway.start(cfg, withMqtt(), plugins, stores, clock), temp);
      } catch (RuntimeException e) {
        deleteTree(temp);
        throw e;
      }
    }

    /** The MQTT adapter from the class path first (unless the test gave one or asked for none), then the test's. */
    private List<ProtocolAdapterFactory> withMqtt() {
      List<ProtocolAdapterFactory> all = new ArrayList<>();
      boolean given = factories.stream().anyMatch(f -> f.protocol().equals(MQTT));
      if (mqtt && !given) {
        ServiceLoader.load(ProtocolAdapterFactory.class).stream().map(ServiceLoader.Provider::get)
            .filter(f -> f.protocol().equals(MQTT)).findFirst().ifPresent(all::add);
      }
      all.addAll(factories);
      return all;
    }
  }

  /** The value of an HTTP {@code Authorization} header with the test API key. */
  public static String apiAuthorization() {
    return "Basic " + Base64.getEncoder().encodeToString((API_KEY + ":" + API_SECRET).getBytes(StandardCharsets.UTF_8));
  }

  /** The gateway's {@code persistence.dir}: where it writes {@code ctl.key} and created API keys. */
  public Path dataDir() {
    return gateway.config().persistence().dir();
  }

  /**
   * Starts tracing {@code clientId}'s packets, as {@code estuary ctl trace start client=ID} does; the file
   * the core writes the lines to ({@code <instant> <protocol> IN|OUT <clientid> <summary>}).
   */
  public Path startTrace(String clientId) throws java.io.IOException {
    return gateway.traces().start(clientId).file();
  }

  /** Stops tracing {@code clientId} ({@code estuary ctl trace stop client=ID}). */
  public void stopTrace(String clientId) {
    gateway.traces().stop(clientId);
  }

  public Gateway gateway() {
    return gateway;
  }

  public Broker broker() {
    return gateway.broker();
  }

  /** The context the gateway gave the adapter of {@code protocol}. */
  public GatewayContext context(String protocol) {
    GatewayContext c = gateway.context(protocol);
    if (c == null) {
      throw new IllegalArgumentException("no adapter " + protocol + " in this gateway");
    }
    return c;
  }

  /** The gateway's metrics, by full name ({@code mqttsn.drops}). */
  public Metrics metrics() {
    return gateway.metrics();
  }

  /** A namespace of the store's key-value area as stored ({@code mqttsn-topic-ids}), read synchronously. */
  public StoredKeyValues storedKeyValues(String namespace) {
    return new StoredKeyValues(gateway.store().keyValueTable(namespace));
  }

  /**
   * A failing disk (issue #13), on a {@link Builder#persistence} gateway: with a message every store write
   * batch from now on fails with it as a RocksDB write error would; null heals it.
   */
  public void injectStoreWriteFailure(String message) {
    rocks().injectWriteFailure(message);
  }

  /** {@code store.refused{reason, work}}: reason max_bytes, busy, write_error; work publish, session, retained, kv. */
  public long storeRefused(String reason, String work) {
    return rocks().admission().refused(reason, io.estuary.core.store.StoreAdmission.Work.valueOf(work.toUpperCase(java.util.Locale.ROOT)));
  }

  /** Why the store refuses new persistent work now (max_bytes, busy, write_error), or null. */
  public String storeRefusal() {
    return gateway.store().refusal();
  }

  private RocksDbStore rocks() {
    if (!(gateway.store() instanceof RocksDbStore r)) {
      throw new IllegalStateException("not a persistence(dir) gateway");
    }
    return r;
  }

  /** The port of the first MQTT listener of {@code type} (tcp, ssl, ws, wss). */
  public int mqttPort(String type) {
    if (gateway.adapter(MQTT) == null) {
      throw new IllegalStateException("no MQTT listeners: add proto-mqtt to this module's test dependencies "
          + "(and do not call withoutMqtt())");
    }
    return listener(MQTT, type + ":default").getPort();
  }

  public int mqttPort() {
    return mqttPort("tcp");
  }

  public InetSocketAddress apiAddress() {
    return gateway.apiAddress();
  }

  public InetSocketAddress listener(String protocol, String name) {
    for (ListenerInfo l : gateway.listeners()) {
      if (l.protocol().equals(protocol) && l.name().equals(name)) {
        return l.address();
      }
    }
    throw new IllegalArgumentException("no listener " + protocol + " " + name + " in " + gateway.listeners());
  }

  /** Every listener of the MQTT listener and the adapters. */
  public List<ListenerInfo> listeners() {
    return gateway.listeners();
  }

  /** The running adapter for {@code protocol}, or null. */
  public ProtocolAdapter adapter(String protocol) {
    return gateway.adapter(protocol);
  }

  /** The broker's listing of {@code clientId}'s session, or null when it has none. */
  public TestSession session(String clientId) {
    SessionView v = gateway.broker().sessionView(clientId);
    return v == null ? null : toTestSession(v);
  }

  /** Every session the broker lists. */
  public List<TestSession> sessions() {
    return gateway.broker().sessionViews().stream().map(TestGateway::toTestSession).toList();
  }

  /** Subscriptions on the whole broker. */
  public long subscriptionCount() {
    return gateway.broker().subscriptionCount();
  }

  private static TestSession toTestSession(SessionView v) {
    return new TestSession(v.clientId(), v.protocol(), v.username(), v.peer(), v.state(), v.persistent(),
        v.subscriptions(), v.queued(), v.inflight(), v.attributes());
  }

  @Override
  public void close() {
    gateway.close();
    deleteTree(tempDir);
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort: a temp dir
    }
  }
}
