package io.estuary.core.session;

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
import io.estuary.api.Subscription;
import io.estuary.core.auth.Authenticator;
import io.estuary.core.auth.Authorizer;
import io.estuary.core.config.MqttLimits;
import io.estuary.core.store.SessionRecord;
import io.estuary.core.store.Store;
import io.estuary.core.topic.TopicTrie;
import io.estuary.core.topic.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker core: session registry, subscription index, retained messages and routing. Implements
 * the adapters' {@link GatewayContext}. Routing runs on the publisher's thread and reads only
 * concurrent structures; each session's state changes on its own {@link SerialExecutor}.
 */
public final class Broker implements GatewayContext, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Broker.class);

  final String nodeName;
  final MqttLimits limits;
  final Store store;
  final Authenticator authenticator;
  final Authorizer authorizer;
  final Metrics metrics;
  final Clock clock;
  final ScheduledExecutorService scheduler;
  final ExecutorService workers;
  /** Runs the sessions' serial executors. */
  final java.util.concurrent.Executor sessionPool;
  final SessionTimers timers;
  final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
  final TopicTrie<Subscription> trie = new TopicTrie<>();
  private final ConcurrentHashMap<String, Message> retained = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicInteger> sharedCursors = new ConcurrentHashMap<>();
  private final AtomicLong routingTags = new AtomicLong(System.currentTimeMillis() << 16);
  final AtomicLong subscriptionCount = new AtomicLong();
  final ConcurrentHashMap<String, AtomicLong> connectedByProtocol = new ConcurrentHashMap<>();
  final Metrics.Counter received;
  final Metrics.Counter sent;
  final Metrics.Counter droppedQueueFull;
  final Metrics.Counter droppedExpired;
  final Metrics.Counter droppedQueueAge;
  final Metrics.Counter droppedTooLarge;
  final Metrics.Counter droppedNoSubscribers;
  final Metrics.Counter droppedQos0Offline;
  final Metrics.Counter droppedStoreFull;
  private final long startedAt;
  private volatile boolean shuttingDown;

  public Broker(String nodeName, MqttLimits limits, Store store, Authenticator authenticator, Authorizer authorizer,
      Metrics metrics, Clock clock) {
    this(nodeName, limits, store, authenticator, authorizer, metrics, clock, null, null);
  }

  /** With {@code sessionPool} and {@code timers} non-null, sessions run there (unit tests drive them by hand). */
  Broker(String nodeName, MqttLimits limits, Store store, Authenticator authenticator, Authorizer authorizer,
      Metrics metrics, Clock clock, java.util.concurrent.Executor sessionPool, SessionTimers timers) {
    this.nodeName = nodeName;
    this.limits = limits;
    this.store = store;
    this.authenticator = authenticator;
    this.authorizer = authorizer;
    this.metrics = metrics;
    this.clock = clock;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("estuary-timer"));
    this.workers = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), daemon("estuary-session"));
    this.sessionPool = sessionPool != null ? sessionPool : workers;
    this.timers = timers != null ? timers : SessionTimers.on(scheduler);
    this.received = metrics.counter("messages.received");
    this.sent = metrics.counter("messages.sent");
    this.droppedQueueFull = metrics.counter("messages.dropped", "reason", "queue_full");
    this.droppedExpired = metrics.counter("messages.dropped", "reason", "expired");
    this.droppedQueueAge = metrics.counter("messages.dropped", "reason", "queue_age");
    this.droppedTooLarge = metrics.counter("messages.dropped", "reason", "too_large");
    this.droppedNoSubscribers = metrics.counter("messages.dropped", "reason", "no_subscribers");
    this.droppedQos0Offline = metrics.counter("messages.dropped", "reason", "qos0_offline");
    this.droppedStoreFull = metrics.counter("messages.dropped", "reason", "store_full");
    metrics.gauge("sessions.count", sessions::size);
    metrics.gauge("connections.count", this::connectedCount);
    metrics.gauge("subscriptions.count", subscriptionCount::get);
    metrics.gauge("retained.count", retained::size);
    this.startedAt = clock.millis();
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** How often the broker writes its "alive" mark (key-value space {@code broker}, key {@code alive}). */
  static final Duration ALIVE_INTERVAL = Duration.ofSeconds(10);

  /**
   * The previous run's last "alive" mark (clock millis), or 0: the estimate of when a process that
   * died had still been running, used as the disconnect time of sessions that were connected then.
   */
  long previousAliveMillis;

  /** Loads retained messages and persistent sessions from the store. Call once before listeners start. */
  public void recover() {
    if (store.durable()) {
      KeyValueSpace broker = store.keyValueSpace("broker");
      byte[] alive = broker.get("alive");
      previousAliveMillis = alive != null && alive.length == 8 ? java.nio.ByteBuffer.wrap(alive).getLong() : 0;
      Runnable mark = () -> broker.put("alive", java.nio.ByteBuffer.allocate(8).putLong(clock.millis()).array());
      mark.run();
      scheduler.scheduleWithFixedDelay(mark, ALIVE_INTERVAL.toMillis(), ALIVE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }
    store.forEachRetained(m -> retained.put(m.topic(), m));
    List<SessionRecord> records = new ArrayList<>();
    store.forEachSession(records::add);
    for (SessionRecord r : records) {
      Session s = new Session(this, r.clientId());
      sessions.put(r.clientId(), s);
      s.actor.execute(() -> s.restore(r));
    }
    if (!records.isEmpty() || !retained.isEmpty()) {
      LOG.info("recovered {} sessions and {} retained messages from the store", records.size(), retained.size());
    }
  }

  // ---- GatewayContext -------------------------------------------------------------------------

  @Override
  public String nodeName() {
    return nodeName;
  }

  @Override
  public CompletionStage<AuthResult> authenticate(ClientCredentials credentials) {
    return authenticator.authenticate(credentials);
  }

  @Override
  public CompletionStage<BrokerSession> openSession(ClientInfo client, SessionOptions options, DeliverySink sink) {
    CompletableFuture<BrokerSession> f = new CompletableFuture<>();
    if (shuttingDown) {
      f.completeExceptionally(new IllegalStateException("server shutting down"));
      return f;
    }
    openInto(client, options, sink, f);
    return f;
  }

  void openInto(ClientInfo client, SessionOptions options, DeliverySink sink, CompletableFuture<BrokerSession> f) {
    Session s = sessions.computeIfAbsent(client.clientId(), id -> new Session(this, id));
    s.actor.execute(() -> s.attach(client, options, sink, f));
  }

  @Override
  public CompletionStage<PublishOutcome> publish(ClientInfo publisher, Message message) {
    if (message.qos() == 0) {
      return CompletableFuture.completedFuture(publishFrom(publisher, message));
    }
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    PublishOutcome o = publishFrom(publisher, message, writes);
    if (!waitsForStore(message)) {
      return writes.isEmpty() ? CompletableFuture.completedFuture(o) : allOf(writes).thenApply(v -> o);
    }
    return durableAfter(writes, message.retain()).thenApply(v -> o);
  }

  @Override
  public Message retained(String topic) {
    Message m = retained.get(topic);
    if (m != null && m.isExpired(clock.millis())) {
      retained.remove(topic, m);
      store.deleteRetained(topic);
      return null;
    }
    return m;
  }

  @Override
  public KeyValueSpace keyValueSpace(String namespace) {
    return store.keyValueSpace(namespace);
  }

  @Override
  public Metrics metrics() {
    return metrics;
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public ScheduledExecutorService scheduler() {
    return scheduler;
  }

  public MqttLimits limits() {
    return limits;
  }

  // ---- routing --------------------------------------------------------------------------------

  /**
   * Whether acknowledging a publish of {@code m} must wait for the store: QoS 1/2 with a durable
   * store, so that nothing acknowledged to a publisher is lost to a crash (docs/persistence.md).
   */
  boolean waitsForStore(Message m) {
    return m.qos() > 0 && store.durable();
  }

  /**
   * Completes once the queue writes behind {@code writes} (completed on the target sessions' executors
   * after they queued their store writes) and everything queued before them are durable as the sync
   * policy defines it. Completes on the store's writer thread or the caller's.
   */
  CompletableFuture<Void> durableAfter(List<CompletableFuture<Void>> writes, boolean retained) {
    if (writes.isEmpty() && !retained) {
      return CompletableFuture.completedFuture(null);
    }
    return allOf(writes).thenCompose(v -> store.sync().toCompletableFuture());
  }

  /** Validates, authorizes and routes a message from {@code publisher}. Runs on the caller's thread. */
  PublishOutcome publishFrom(ClientInfo publisher, Message m) {
    return publishFrom(publisher, m, null);
  }

  /**
   * As above; with {@code writes} non-null, adds one stage per QoS 1/2 target when the store is durable
   * (see {@link #durableAfter}) or the target holds publishers back (overflow = BACKPRESSURE).
   */
  PublishOutcome publishFrom(ClientInfo publisher, Message m, List<CompletableFuture<Void>> writes) {
    return publishFrom(publisher, m, writes, null);
  }

  /**
   * As above; with {@code routing} non-null (a persistent publisher's QoS 2 PUBLISH with a durable
   * store), each queued copy carries its tag and is delivered only once its gate completes.
   */
  PublishOutcome publishFrom(ClientInfo publisher, Message m, List<CompletableFuture<Void>> writes, Routing routing) {
    if (Topics.checkName(m.topic(), limits.maxTopicLevels()) != null) {
      return PublishOutcome.of(PublishOutcome.Status.TOPIC_NAME_INVALID);
    }
    if (m.qos() > limits.maxQosAllowed()) {
      return PublishOutcome.of(PublishOutcome.Status.QOS_NOT_SUPPORTED);
    }
    if (m.retain() && !limits.retainAvailable()) {
      return PublishOutcome.of(PublishOutcome.Status.RETAIN_NOT_SUPPORTED);
    }
    if (m.payload().size() > limits.maxPacketSize()) {
      return PublishOutcome.of(PublishOutcome.Status.PACKET_TOO_LARGE);
    }
    if (!m.topic().startsWith("$SYS") || publisher != null) {
      if (publisher != null && !authorizer.authorize(publisher, Authorizer.Action.PUBLISH, m.topic())) {
        return PublishOutcome.of(PublishOutcome.Status.NOT_AUTHORIZED);
      }
    }
    received.increment();
    String from = publisher == null ? null : publisher.clientId();
    Message stamped = (m.createdAtMillis() > 0 ? m : m.withCreatedAt(clock.millis())).withPublisher(from);
    int matched = route(stamped, from, writes, routing);
    return new PublishOutcome(matched > 0 ? PublishOutcome.Status.OK : PublishOutcome.Status.NO_MATCHING_SUBSCRIBERS, matched);
  }

  /** Publishes a broker-originated message ($SYS, uplink status) without ACL checks. */
  public void publishSystem(Message m) {
    Message stamped = m.createdAtMillis() > 0 ? m : m.withCreatedAt(clock.millis());
    route(stamped, null);
  }

  private static final class Target {
    int qos;
    boolean retainAsPublished;
    List<Integer> subscriptionIds;

    void add(Subscription s) {
      qos = Math.max(qos, s.qos());
      retainAsPublished |= s.retainAsPublished();
      if (s.subscriptionId() != 0) {
        if (subscriptionIds == null) {
          subscriptionIds = new ArrayList<>(2);
        }
        subscriptionIds.add(s.subscriptionId());
      }
    }
  }

  int route(Message m, String originClientId) {
    return route(m, originClientId, null);
  }

  int route(Message m, String originClientId, List<CompletableFuture<Void>> writes) {
    return route(m, originClientId, writes, null);
  }

  /**
   * A QoS 2 publish's routing marker ({@link io.estuary.core.store.Store#markRouting}): the tag its
   * queued copies carry, the gate that holds their delivery until the publish is durable (so no
   * subscriber sees a message that recovery could roll back), and one stage per QoS 2 copy that
   * completes once its store write is queued ({@link #route} adds them on the caller's thread).
   */
  record Routing(long tag, CompletableFuture<Void> gate, List<CompletableFuture<Void>> written) {}

  /** Completes when every stage in {@code stages} has (an empty list: now). */
  static CompletableFuture<Void> allOf(List<CompletableFuture<Void>> stages) {
    return stages.isEmpty() ? CompletableFuture.completedFuture(null)
        : stages.size() == 1 ? stages.get(0) : CompletableFuture.allOf(stages.toArray(CompletableFuture[]::new));
  }

  /** A routing tag unique within this run and the one before it (wall-clock milliseconds × 65,536 + a counter). */
  long nextRoutingTag() {
    return routingTags.incrementAndGet();
  }

  /**
   * Routes {@code m}; with {@code writes} non-null, adds a stage per QoS 1/2 target that the publisher
   * must wait for (durable store, or a target holding publishers back), completed once it has queued.
   * With {@code routing}, QoS 2 copies carry its tag and wait for its gate.
   */
  int route(Message m, String originClientId, List<CompletableFuture<Void>> writes, Routing routing) {
    if (m.retain()) {
      if (m.payload().isEmpty()) {
        if (retained.remove(m.topic()) != null) {
          store.deleteRetained(m.topic());
        }
      } else {
        retained.put(m.topic(), m);
        store.saveRetained(m);
      }
    }
    Map<String, Target> targets = new HashMap<>();
    Map<String, List<Map.Entry<String, Subscription>>> groups = new HashMap<>(0);
    trie.match(m.topic(), (clientId, sub, group) -> {
      if (group != null) {
        groups.computeIfAbsent(sub.filter().value(), g -> new ArrayList<>()).add(Map.entry(clientId, sub));
        return;
      }
      if (sub.noLocal() && clientId.equals(originClientId)) {
        return;
      }
      targets.computeIfAbsent(clientId, k -> new Target()).add(sub);
    });
    for (var e : groups.entrySet()) {
      var chosen = pickSharedMember(e.getKey(), e.getValue());
      if (chosen != null) {
        targets.computeIfAbsent(chosen.getKey(), k -> new Target()).add(chosen.getValue());
      }
    }
    if (targets.isEmpty()) {
      droppedNoSubscribers.increment();
      return 0;
    }
    int n = 0;
    for (var e : targets.entrySet()) {
      Session s = sessions.get(e.getKey());
      if (s == null) {
        continue;
      }
      Target t = e.getValue();
      Message out = m.withQos(Math.min(m.qos(), t.qos)).withRetain(t.retainAsPublished && m.retain());
      List<Integer> ids = t.subscriptionIds == null ? List.of() : t.subscriptionIds;
      if (writes != null && out.qos() > 0 && (store.durable() || s.holdsPublishers)) {
        CompletableFuture<Void> queued = new CompletableFuture<>();
        if (routing != null && out.qos() == 2) {
          CompletableFuture<Void> written = new CompletableFuture<>();
          routing.written().add(written);
          s.enqueue(out, ids, queued, routing, written);
        } else {
          s.enqueue(out, ids, queued, null, null);
        }
        writes.add(queued);
      } else {
        s.enqueue(out, ids);
      }
      n++;
    }
    return n;
  }

  /** Round robin over the group, preferring connected members (EMQX's round_robin strategy). */
  private Map.Entry<String, Subscription> pickSharedMember(String key, List<Map.Entry<String, Subscription>> members) {
    int size = members.size();
    int start = Math.floorMod(sharedCursors.computeIfAbsent(key, k -> new AtomicInteger()).getAndIncrement(), size);
    for (int i = 0; i < size; i++) {
      var candidate = members.get((start + i) % size);
      Session s = sessions.get(candidate.getKey());
      if (s != null && s.connected) {
        return candidate;
      }
    }
    return members.get(start);
  }

  /** Retained messages matching {@code filter}, expired ones removed on the way. */
  List<Message> retainedMatching(String filter) {
    long now = clock.millis();
    List<Message> out = new ArrayList<>();
    for (Message m : retained.values()) {
      if (Topics.matches(filter, m.topic())) {
        if (m.isExpired(now)) {
          retained.remove(m.topic(), m);
          store.deleteRetained(m.topic());
        } else {
          out.add(m);
        }
      }
    }
    return out;
  }

  // ---- management -----------------------------------------------------------------------------

  public long connectedCount() {
    long n = 0;
    for (AtomicLong c : connectedByProtocol.values()) {
      n += c.get();
    }
    return n;
  }

  public Map<String, Long> connectedByProtocol() {
    Map<String, Long> out = new HashMap<>();
    connectedByProtocol.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  public int sessionCount() {
    return sessions.size();
  }

  public long subscriptionCount() {
    return subscriptionCount.get();
  }

  public int retainedCount() {
    return retained.size();
  }

  public long uptimeMillis() {
    return clock.millis() - startedAt;
  }

  public Collection<SessionView> sessionViews() {
    List<SessionView> out = new ArrayList<>();
    for (Session s : sessions.values()) {
      out.add(s.view());
    }
    return out;
  }

  public SessionView sessionView(String clientId) {
    Session s = sessions.get(clientId);
    return s == null ? null : s.view();
  }

  /** Disconnects (and, for {@code discard}, removes) a client's session; false if unknown. */
  public boolean kick(String clientId, boolean discard) {
    Session s = sessions.get(clientId);
    if (s == null) {
      return false;
    }
    s.actor.execute(() -> s.kick(discard));
    return true;
  }

  /** Closes every connection with SERVER_SHUTDOWN and waits until sessions have settled, at most {@code grace}. */
  public void shutdown(Duration grace) {
    shuttingDown = true;
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (Session s : sessions.values()) {
      CompletableFuture<Void> f = new CompletableFuture<>();
      s.actor.execute(() -> {
        s.shutdown();
        f.complete(null);
      });
      done.add(f);
    }
    try {
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(grace.toMillis(), TimeUnit.MILLISECONDS);
      store.sync().toCompletableFuture().get(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("shutdown did not settle within {}: {}", grace, e.toString());
    }
  }

  @Override
  public void close() {
    shuttingDown = true;
    scheduler.shutdownNow();
    workers.shutdown();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
