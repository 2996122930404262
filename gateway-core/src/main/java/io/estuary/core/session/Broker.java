package io.estuary.core.session;

import io.estuary.api.concurrent.SerialExecutor;
import io.estuary.api.Access;
import io.estuary.api.AuthResult;
import io.estuary.api.BrokerSession;
import io.estuary.api.ClientCredentials;
import io.estuary.api.ClientInfo;
import io.estuary.api.DeliverySink;
import io.estuary.api.Message;
import io.estuary.api.Metrics;
import io.estuary.api.PublishOutcome;
import io.estuary.api.SessionOptions;
import io.estuary.api.SessionRefusedException;
import io.estuary.core.auth.Authenticator;
import io.estuary.core.auth.Authorizer;
import io.estuary.core.config.MqttLimits;
import io.estuary.core.store.KeyValueTable;
import io.estuary.core.store.SessionRecord;
import io.estuary.core.store.Store;
import io.estuary.core.store.StoreAdmission;
import io.estuary.core.store.StoreUnavailableException;
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
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker core: the session registry, what each adapter's {@code GatewayContext}
 * ({@code core.server.AdapterContext}) serves, management views and lifecycle. Routing is the {@link Router}'s (on the publisher's thread, concurrent structures only);
 * each session's state changes on its own {@link io.estuary.api.concurrent.SerialExecutor}.
 */
public final class Broker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Broker.class);
  /** Refused sessions and ACL denials: per-client trouble, DEBUG. */
  static final Logger DROPS = LoggerFactory.getLogger("io.estuary.core.session.drops");

  /** How often the broker writes its "alive" mark (key-value space {@code broker}, key {@code alive}). */
  static final Duration ALIVE_INTERVAL = Duration.ofSeconds(10);

  private final String nodeName;
  final MqttLimits limits;
  /** The heap every session's queue holds together ({@code mqtt.max_mqueue_total_bytes}). */
  final QueueBudget queueBudget;
  final Store store;
  private final Authenticator authenticator;
  final Authorizer authorizer;
  private final Metrics metrics;
  final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService workers;
  /** Runs the sessions' serial executors. */
  private final Executor sessionPool;
  final SessionTimers timers;
  final MessageCounters counters;
  final Router router;
  private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
  private final SessionQuota quota;
  private final AtomicLong subscriptionCount = new AtomicLong();
  private final ConcurrentHashMap<String, AtomicLong> connectedByProtocol = new ConcurrentHashMap<>();
  private final long startedAt;
  private volatile boolean shuttingDown;
  /** The hook chain's ears for offline sessions (offline messages, expiry); NONE without plugins. */
  volatile SessionEvents events = SessionEvents.NONE;
  /**
   * The previous run's last "alive" mark (clock millis), or 0: the estimate of when a process that
   * died had still been running, used as the disconnect time of sessions that were connected then.
   */
  private long previousAliveMillis;

  public Broker(String nodeName, MqttLimits limits, Store store, Authenticator authenticator, Authorizer authorizer,
      Metrics metrics, Clock clock) {
    this(nodeName, limits, store, authenticator, authorizer, metrics, clock, null, null);
  }

  /** With {@code sessionPool} and {@code timers} non-null, sessions run there (unit tests drive them by hand). */
  Broker(String nodeName, MqttLimits limits, Store store, Authenticator authenticator, Authorizer authorizer,
      Metrics metrics, Clock clock, Executor sessionPool, SessionTimers timers) {
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
    this.counters = new MessageCounters(metrics);
    this.queueBudget = new QueueBudget(limits.maxQueuedTotalBytes(), metrics);
    this.router = new Router(limits, store, authorizer, clock, counters, sessions);
    this.quota = new SessionQuota(limits.maxSessions());
    metrics.gauge("sessions.count", sessions::size);
    metrics.gauge("connections.count", this::connectedCount);
    metrics.gauge("subscriptions.count", subscriptionCount::get);
    metrics.gauge("retained.count", router::retainedCount);
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

  /** Loads retained messages and persistent sessions from the store. Call once before listeners start. */
  public void recover() {
    if (store.durable()) {
      KeyValueTable broker = store.keyValueTable("broker");
      byte[] alive = broker.get("alive");
      previousAliveMillis = alive != null && alive.length == 8 ? java.nio.ByteBuffer.wrap(alive).getLong() : 0;
      Runnable mark = () -> broker.put("alive", java.nio.ByteBuffer.allocate(8).putLong(clock.millis()).array());
      mark.run();
      scheduler.scheduleWithFixedDelay(mark, ALIVE_INTERVAL.toMillis(), ALIVE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }
    router.recoverRetained();
    List<SessionRecord> records = new ArrayList<>();
    store.forEachSession(records::add);
    for (SessionRecord r : records) {
      Session s = new Session(this, r.clientId());
      if (sessions.put(r.clientId(), s) == null && !SessionQuota.exempt(r.clientId())) {
        quota.restored(); // a lowered cap keeps every stored session, and refuses new ones until below it
      }
      s.actor.execute(() -> s.restore(r));
    }
    if (!records.isEmpty() || router.retainedCount() > 0) {
      LOG.info("recovered {} sessions and {} retained messages from the store", records.size(), router.retainedCount());
    }
  }

  // ---- what sessions use ----------------------------------------------------------------------

  SerialExecutor newSessionExecutor() {
    return new SerialExecutor(sessionPool);
  }

  long previousAliveMillis() {
    return previousAliveMillis;
  }

  /** The session was discarded: it leaves the registry (and frees its {@code mqtt.max_sessions} slot). */
  void removed(Session s) {
    if (sessions.remove(s.clientId, s) && !SessionQuota.exempt(s.clientId)) {
      quota.release();
    }
  }

  void connectionsChanged(String protocol, int delta) {
    connectedByProtocol.computeIfAbsent(protocol, p -> new AtomicLong()).addAndGet(delta);
  }

  void subscriptionsChanged(int delta) {
    subscriptionCount.addAndGet(delta);
  }

  // ---- GatewayContext (through core.server.AdapterContext) ------------------------------------

  public String nodeName() {
    return nodeName;
  }

  public CompletionStage<AuthResult> authenticate(ClientCredentials credentials) {
    return authenticator.authenticate(credentials);
  }

  /** As {@link #openSession(ClientInfo, SessionOptions, DeliverySink, String)} with no adapter {@code $} namespace. */
  public CompletionStage<BrokerSession> openSession(ClientInfo client, SessionOptions options, DeliverySink sink) {
    return openSession(client, options, sink, null);
  }

  /**
   * Completes on {@code sink.executor()}, also when it fails with a {@link SessionRefusedException}: the
   * gateway is shutting down (UNAVAILABLE), the client id or username breaks the {@link IdentityRules}
   * (ids in {@code $<adapterProtocol>/…} are the calling adapter's own), or the session belongs to
   * another identity (NOT_OWNER, decided on the session's executor).
   *
   * @param adapterProtocol the protocol of the adapter context opening the session, or null
   */
  public CompletionStage<BrokerSession> openSession(ClientInfo client, SessionOptions options, DeliverySink sink,
      String adapterProtocol) {
    CompletableFuture<BrokerSession> f = new CompletableFuture<>();
    SessionRefusedException refused = shuttingDown
        ? new SessionRefusedException(SessionRefusedException.Reason.UNAVAILABLE, "server shutting down")
        : IdentityRules.check(client, adapterProtocol, limits.maxClientIdLength());
    if (refused == null && needsNewRecord(client.clientId(), options) && !store.admit(StoreAdmission.Work.SESSION)) {
      refused = new SessionRefusedException(SessionRefusedException.Reason.QUOTA_EXCEEDED,
          "the store refuses new persistent sessions (" + store.refusal() + ")");
    }
    if (refused != null) {
      refuse(client, sink, f, refused);
      return f;
    }
    openInto(client, options, sink, f);
    return f;
  }

  /**
   * Whether opening would write a new session record (issue #13): a persistent session that is not
   * already stored, or a clean start of one. Resuming a stored session needs no new room, so it is never
   * refused for a full store; clean sessions write nothing.
   */
  private boolean needsNewRecord(String clientId, SessionOptions options) {
    if (!options.persistent() || !store.durable()) {
      return false;
    }
    Session existing = sessions.get(clientId);
    return existing == null || options.cleanStart() || !existing.persistentSnapshot();
  }

  /** Fails {@code f} with {@code refused} on the sink's executor; logged on {@code io.estuary.core.session.drops} and counted. */
  void refuse(ClientInfo client, DeliverySink sink, CompletableFuture<BrokerSession> f, SessionRefusedException refused) {
    String reason = refused.reason().name().toLowerCase(java.util.Locale.ROOT);
    metrics.counter("sessions.refused", "reason", reason).increment();
    DROPS.debug("session {} of {} ({} from {}) refused: {} ({})", client.clientId(), client.username(), client.protocol(),
        client.peer(), reason, refused.getMessage());
    try {
      sink.executor().execute(() -> f.completeExceptionally(refused));
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(refused); // the adapter's executor is gone too: nobody waits on it
    }
  }

  /** Whether {@code client} may take over any session (skips the ACL too). */
  boolean isSuperuser(ClientInfo client) {
    return authorizer.isSuperuser(client);
  }

  /**
   * Attaches to the client id's session, creating it if there is none. A new session beyond {@code
   * mqtt.max_sessions} is refused with QUOTA_EXCEEDED ({@link SessionQuota}); resuming one never is.
   */
  void openInto(ClientInfo client, SessionOptions options, DeliverySink sink, CompletableFuture<BrokerSession> f) {
    Session s = sessions.computeIfAbsent(client.clientId(),
        id -> SessionQuota.exempt(id) || quota.tryAcquire() ? new Session(this, id) : null);
    if (s == null) {
      quota.refused(client);
      refuse(client, sink, f, new SessionRefusedException(SessionRefusedException.Reason.QUOTA_EXCEEDED,
          "mqtt.max_sessions (" + limits.maxSessions() + ") reached"));
      return;
    }
    s.actor.execute(() -> s.attach(client, options, sink, f));
  }

  public CompletionStage<PublishOutcome> publish(ClientInfo publisher, Message message) {
    return publish(publisher, message, null);
  }

  /**
   * A publish without a session. A publisher with a {@code $} client id must be the calling adapter's
   * own ({@code $<adapterProtocol>/…}), as for {@link #openSession}: else NOT_AUTHORIZED.
   */
  public CompletionStage<PublishOutcome> publish(ClientInfo publisher, Message message, String adapterProtocol) {
    if (publisher != null && publisher.clientId().startsWith("$")
        && (adapterProtocol == null || !publisher.clientId().startsWith("$" + adapterProtocol + "/"))) {
      counters.deniedPublish.increment();
      DROPS.debug("publish as reserved client id {} ({}) refused", publisher.clientId(), publisher.protocol());
      return CompletableFuture.completedFuture(PublishOutcome.of(PublishOutcome.Status.NOT_AUTHORIZED));
    }
    if (message.qos() == 0) {
      return CompletableFuture.completedFuture(router.publish(publisher, message, null, null));
    }
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    PublishOutcome o = router.publish(publisher, message, writes, null);
    if (!router.waitsForStore(message)) {
      return writes.isEmpty() ? CompletableFuture.completedFuture(o) : Router.allOf(writes).thenApply(v -> o);
    }
    return router.durableAfter(writes, message.retain()).handle((v, err) -> {
      if (err == null) {
        return o;
      }
      Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
      if (cause instanceof StoreUnavailableException) { // the store failed to write: refused, not lost (issue #13)
        store.writeFailed(StoreAdmission.Work.PUBLISH);
        return PublishOutcome.of(PublishOutcome.Status.QUOTA_EXCEEDED);
      }
      throw err instanceof java.util.concurrent.CompletionException ce ? ce : new java.util.concurrent.CompletionException(err);
    });
  }

  public Message retained(String topic) {
    return router.retained(topic);
  }

  /** The ACL's answer for {@code client}; see {@code GatewayContext.authorize}. */
  public boolean authorize(ClientInfo client, Access access, String topic) {
    return router.authorize(client, access == Access.PUBLISH ? Authorizer.Action.PUBLISH : Authorizer.Action.SUBSCRIBE, topic);
  }

  public Metrics metrics() {
    return metrics;
  }

  public Clock clock() {
    return clock;
  }

  public ScheduledExecutorService scheduler() {
    return scheduler;
  }

  public MqttLimits limits() {
    return limits;
  }

  /** Publishes a broker-originated message ($SYS, uplink status) without ACL checks. */
  public void publishSystem(Message m) {
    Message stamped = m.createdAtMillis() > 0 ? m : m.withCreatedAt(clock.millis());
    router.route(stamped, null, null, null);
  }

  /**
   * The authorizer's rules changed (reload): every session forgets its cached delivery decisions. Existing
   * subscriptions stay; deliveries are checked against the new rules from now on.
   */
  public void aclChanged() {
    for (Session s : sessions.values()) {
      s.actor.execute(s::aclChanged);
    }
  }

  /** Who hears of offline messages and expired sessions (the hook chain); set once, before listeners start. */
  public void events(SessionEvents e) {
    events = e == null ? SessionEvents.NONE : e;
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
    return router.retainedCount();
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

  /**
   * The identity of {@code clientId}'s session now (an opaque object, the same for its whole life), or null: what
   * {@link SessionEvents} pass, so that an event of an ended session is told apart from one of a new session of the
   * same client id.
   */
  public Object sessionIdentity(String clientId) {
    return sessions.get(clientId);
  }

  public SessionView sessionView(String clientId) {
    Session s = sessions.get(clientId);
    return s == null ? null : s.view();
  }

  /**
   * A session's subscriptions, read on its own executor (management API); completes with null for an
   * unknown client id.
   */
  public CompletionStage<List<io.estuary.api.Subscription>> subscriptionsOf(String clientId) {
    Session s = sessions.get(clientId);
    if (s == null) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<List<io.estuary.api.Subscription>> out = new CompletableFuture<>();
    s.actor.execute(() -> out.complete(s.subscriptionList()));
    return out;
  }

  /** Every live retained message, including {@code $}-topics (management API). */
  public List<Message> retainedMessages() {
    long now = clock.millis();
    List<Message> out = router.allRetained();
    out.removeIf(m -> m.isExpired(now));
    return out;
  }

  /** Deletes the retained message on {@code topic} (no publish, no delivery); false if there was none. */
  public boolean deleteRetained(String topic) {
    return router.deleteRetained(topic);
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
