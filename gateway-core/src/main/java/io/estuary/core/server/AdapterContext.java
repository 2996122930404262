package io.estuary.core.server;

import io.estuary.api.Access;
import io.estuary.api.AuthResult;
import io.estuary.api.BrokerSession;
import io.estuary.api.ClientCredentials;
import io.estuary.api.ClientInfo;
import io.estuary.api.DeliverySink;
import io.estuary.api.GatewayContext;
import io.estuary.api.KeyValueSpace;
import io.estuary.api.Message;
import io.estuary.api.Metrics;
import io.estuary.api.PublishOutcome;
import io.estuary.api.SessionOptions;
import io.estuary.core.hooks.HookChain;
import io.estuary.core.hooks.Hooks;
import io.estuary.core.session.Broker;
import io.estuary.core.store.AsyncKeyValueSpace;
import io.estuary.core.store.Store;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * One adapter's {@link GatewayContext}: the broker's services, plus what belongs to that adapter
 * alone: its protocol name, its key-value namespace ({@code <protocol>} and {@code <protocol>-<name>}:
 * the names MQTT-SN, CoAP and LwM2M used before, so their stored data is found) and its metric prefix
 * ({@code <protocol>.}: the names they used before). Created by {@link Gateway}; the adapter never
 * sees the {@link Broker}. Thread-safe; the thread contracts are on {@link GatewayContext}.
 */
public final class AdapterContext implements GatewayContext {
  private static final Pattern PROTOCOL = Pattern.compile("[a-z0-9_]+");
  private static final Pattern SPACE_NAME = Pattern.compile("[a-z0-9_-]+");
  /** Namespaces the core keeps for itself. */
  private static final Set<String> RESERVED = Set.of("broker");

  private final Broker broker;
  private final Store store;
  private final Executor storeExecutor;
  private final String protocol;
  private final Metrics metrics;
  private final Map<String, KeyValueSpace> spaces = new ConcurrentHashMap<>();
  /** The plugins' view of this adapter's clients, or null when no plugin is loaded (nothing wrapped, nothing asked). */
  private final Hooks hooks;

  /**
   * @param storeExecutor runs every key-value operation (the core's store threads)
   * @param metricPrefix put in front of every metric name, normally {@link #metricPrefix(String)}
   */
  public AdapterContext(String protocol, Broker broker, Store store, Executor storeExecutor, Metrics rootMetrics,
      String metricPrefix) {
    this(protocol, broker, store, storeExecutor, rootMetrics, metricPrefix, null);
  }

  /** With the plugins of {@code hooks} (null or none loaded: no hooks) seeing this adapter's clients. */
  public AdapterContext(String protocol, Broker broker, Store store, Executor storeExecutor, Metrics rootMetrics,
      String metricPrefix, HookChain hooks) {
    if (!PROTOCOL.matcher(protocol).matches() || RESERVED.contains(protocol)) {
      throw new IllegalArgumentException("adapter protocol must be lower-case letters, digits and '_', not "
          + RESERVED + ", was \"" + protocol + "\"");
    }
    this.protocol = protocol;
    this.broker = broker;
    this.store = store;
    this.storeExecutor = storeExecutor;
    // the uplink's session is the gateway's own forward buffer, not a device: plugins do not see it
    this.hooks = hooks == null || !hooks.enabled() || protocol.equals("uplink") ? null : new Hooks(hooks, broker);
    this.metrics = metricPrefix.isEmpty() ? rootMetrics : new AdapterMetrics(rootMetrics, metricPrefix, protocol);
  }

  /** The default metric prefix of {@code protocol}: {@code "<protocol>."}. */
  public static String metricPrefix(String protocol) {
    return protocol + ".";
  }

  /** The stored namespace of an adapter's space: {@code <protocol>}, or {@code <protocol>-<name>}. */
  public static String namespace(String protocol, String name) {
    if (name == null) {
      return protocol;
    }
    if (!SPACE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("key-value space name must be lower-case letters, digits, '_' and '-', was \""
          + name + "\"");
    }
    return protocol + "-" + name;
  }

  @Override
  public String protocol() {
    return protocol;
  }

  @Override
  public String nodeName() {
    return broker.nodeName();
  }

  @Override
  public CompletionStage<AuthResult> authenticate(ClientCredentials credentials) {
    return hooks == null ? broker.authenticate(credentials) : hooks.authenticate(credentials);
  }

  @Override
  public CompletionStage<BrokerSession> openSession(ClientInfo client, SessionOptions options, DeliverySink sink) {
    // $<protocol>/… ids are this adapter's own
    return hooks == null ? broker.openSession(client, options, sink, protocol)
        : hooks.openSession(client, options, sink, protocol);
  }

  @Override
  public CompletionStage<PublishOutcome> publish(ClientInfo publisher, Message message) {
    return hooks == null ? broker.publish(publisher, message, protocol) : hooks.publish(publisher, message, protocol);
  }

  @Override
  public Message retained(String topic) {
    return broker.retained(topic);
  }

  @Override
  public boolean authorize(ClientInfo client, Access access, String topic) {
    return broker.authorize(client, access, topic);
  }

  @Override
  public KeyValueSpace keyValueSpace() {
    return space(namespace(protocol, null));
  }

  @Override
  public KeyValueSpace keyValueSpace(String name) {
    return space(namespace(protocol, name));
  }

  private KeyValueSpace space(String namespace) {
    // one instance per namespace: its serial executor is what keeps the space's operations in order
    return spaces.computeIfAbsent(namespace, n -> new AsyncKeyValueSpace(store.keyValueTable(n), storeExecutor, store));
  }

  /** Where traced clients' packets go (the gateway's; null in unit tests: nothing traced). */
  private volatile io.estuary.core.trace.ClientTraces traces;

  void traces(io.estuary.core.trace.ClientTraces t) {
    this.traces = t;
  }

  @Override
  public io.estuary.api.PacketTrace trace(String clientId) {
    io.estuary.core.trace.ClientTraces t = traces;
    return t == null || clientId == null ? null : t.forClient(protocol, clientId);
  }

  /** The gateway's session watches (null in unit tests: nothing is watched). */
  private volatile SessionWatches watches;

  void watches(SessionWatches w) {
    this.watches = w;
  }

  @Override
  public Runnable watchSession(String clientId, Executor executor, Consumer<Optional<ClientInfo>> listener) {
    SessionWatches w = watches;
    return w == null ? () -> { } : w.watch(clientId, executor, listener);
  }

  @Override
  public Metrics metrics() {
    return metrics;
  }

  @Override
  public Clock clock() {
    return broker.clock();
  }

  @Override
  public ScheduledExecutorService scheduler() {
    return broker.scheduler();
  }
}
