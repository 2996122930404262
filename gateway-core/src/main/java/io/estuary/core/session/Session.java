package io.estuary.core.session;

import io.estuary.core.api.BrokerSession;
import io.estuary.core.api.ClientInfo;
import io.estuary.core.api.CloseReason;
import io.estuary.core.api.Delivery;
import io.estuary.core.api.DeliveryId;
import io.estuary.core.api.DeliverySink;
import io.estuary.core.api.Message;
import io.estuary.core.api.SessionOptions;
import io.estuary.core.api.SubscribeOutcome;
import io.estuary.core.api.Subscription;
import io.estuary.core.api.TopicFilter;
import io.estuary.core.auth.Authorizer;
import io.estuary.core.store.SessionRecord;
import io.estuary.core.store.StoredMessage;
import io.estuary.core.topic.Topics;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's session: subscriptions, the queue of messages not yet sent, the inflight window
 * (packet id → message) and the current connection, if any. Every field below the volatile mirrors is
 * touched only on {@link #actor}. Persistent sessions write through to the store.
 */
final class Session {
  private static final Logger LOG = LoggerFactory.getLogger(Session.class);

  /** One connection attached to the session; stale handles compare against it and are ignored. */
  static final class Connection {
    final DeliverySink sink;
    final ClientInfo client;
    final SessionOptions options;
    final long connectedAt;
    volatile boolean closed;
    Message will;

    Connection(DeliverySink sink, ClientInfo client, SessionOptions options, long connectedAt) {
      this.sink = sink;
      this.client = client;
      this.options = options;
      this.connectedAt = connectedAt;
      this.will = options.will();
    }
  }

  final Broker broker;
  final String clientId;
  final SerialExecutor actor;
  /** QoS 2 inbound packet ids awaiting PUBREL; concurrent because adapters check it on their own thread. */
  final Set<Integer> awaitingRel = ConcurrentHashMap.newKeySet();

  // volatile mirrors for listings and routing decisions
  volatile boolean connected;
  private volatile boolean asleepMirror;
  private volatile int queuedMirror;
  private volatile int inflightMirror;
  private volatile ClientInfo clientMirror;
  private volatile Connection connMirror;
  private volatile long disconnectedAtMirror;
  private volatile boolean persistentMirror;
  private volatile int subscriptionMirror;
  private volatile Map<String, Object> lastAttributes = Map.of();

  // actor-confined
  private Connection conn;
  private ClientInfo client;
  private Duration expiry = Duration.ZERO;
  private Duration willDelay = Duration.ZERO;
  private int maxQueued;
  private SessionOptions.Overflow overflow = SessionOptions.Overflow.DROP_OLDEST;
  private boolean fresh = true;
  private boolean discarded;
  private boolean asleep;
  private boolean storedRecord;
  private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
  private final ArrayDeque<StoredMessage> queue = new ArrayDeque<>();
  private final LinkedHashMap<Integer, StoredMessage> inflight = new LinkedHashMap<>();
  /** Queued QoS 2 copies (by seq) whose publish is not durable yet: delivered only after their gate. */
  private final Map<Long, CompletableFuture<Void>> gates = new HashMap<>();
  private CompletableFuture<Void> hookedGate;
  private int nextPacketId = 1;
  private long nextSeq = 1;
  private long disconnectedAt;
  private Message pendingWill;
  private ScheduledFuture<?> willTimer;
  private ScheduledFuture<?> expiryTimer;
  private List<CompletableFuture<Void>> drainWaiters;

  Session(Broker broker, String clientId) {
    this.broker = broker;
    this.clientId = clientId;
    this.actor = new SerialExecutor(broker.workers);
  }

  private boolean persistent() {
    return !expiry.isZero();
  }

  private long now() {
    return broker.clock.millis();
  }

  // ---- connection lifecycle -------------------------------------------------------------------

  void attach(ClientInfo info, SessionOptions requested, DeliverySink sink, CompletableFuture<BrokerSession> f) {
    if (discarded) {
      broker.openInto(info, requested, sink, f);
      return;
    }
    boolean present = !fresh && !requested.cleanStart();
    if (conn != null) {
      Connection old = conn;
      detach(old, CloseReason.TAKEN_OVER, true);
      // MQTT 5 §3.1.4: the old connection's will goes out unless its delay runs and the session resumes
      if (old.will != null && (requested.cleanStart() || old.options.willDelay().isZero() || !persistent())) {
        publishWill(old.will, old.client);
      }
      LOG.debug("client {} taken over from {} by {}", clientId, old.client.peer(), info.peer());
    }
    cancelTimers();
    pendingWill = null;
    if (requested.cleanStart()) {
      resetState();
    }
    Duration max = broker.limits.maxSessionExpiry();
    expiry = requested.sessionExpiry().compareTo(max) > 0 ? max : requested.sessionExpiry();
    willDelay = requested.willDelay();
    maxQueued = requested.maxQueued();
    overflow = requested.overflow();
    client = info;
    fresh = false;
    asleep = false;
    disconnectedAt = 0;
    conn = new Connection(sink, info, requested, now());
    broker.connectedByProtocol.computeIfAbsent(info.protocol(), p -> new java.util.concurrent.atomic.AtomicLong()).incrementAndGet();
    if (persistent()) {
      saveRecord();
    } else if (storedRecord) {
      broker.store.deleteSession(clientId);
      storedRecord = false;
    }
    mirror();
    SessionHandle handle = new SessionHandle(this, conn, present);
    Connection c = conn;
    c.sink.executor().execute(() -> f.complete(handle));
    for (StoredMessage sm : inflight.values()) {
      send(c, sm, true);
    }
    drain();
  }

  /** The adapter closed its connection (handle.close). */
  void closeFromClient(Connection c, CloseReason reason) {
    if (conn != c) {
      return;
    }
    connectionEnded(reason, false);
  }

  void kick(boolean discard) {
    if (conn != null) {
      connectionEnded(CloseReason.ADMIN_KICK, true);
    }
    if (discard && !discarded) {
      discard();
    }
  }

  void shutdown() {
    if (conn != null) {
      connectionEnded(CloseReason.SERVER_SHUTDOWN, true);
    }
    cancelTimers();
  }

  private void connectionEnded(CloseReason reason, boolean notifySink) {
    Connection c = conn;
    detach(c, reason, notifySink);
    Message will = c.will;
    if (reason.publishesWill() && will != null) {
      if (!persistent() || willDelay.isZero()) {
        publishWill(will, c.client);
      } else {
        pendingWill = will;
        long delay = Math.min(willDelay.toMillis(), expiry.toMillis());
        willTimer = broker.scheduler.schedule(() -> actor.execute(this::willDelayElapsed), delay, TimeUnit.MILLISECONDS);
      }
    }
    if (!persistent()) {
      discard();
    } else {
      disconnectedAt = now();
      saveRecord();
      scheduleExpiry();
    }
    mirror();
  }

  private void detach(Connection c, CloseReason reason, boolean notifySink) {
    // keep what the adapter last said (e.g. MQTT-SN "lost") for the listing of a session that stays
    Map<String, Object> last = new HashMap<>(c.sink.attributes());
    last.put("close_reason", reason.name().toLowerCase(java.util.Locale.ROOT));
    lastAttributes = last;
    conn = null;
    c.closed = true;
    asleep = false;
    broker.connectedByProtocol.get(c.client.protocol()).decrementAndGet();
    if (notifySink) {
      c.sink.executor().execute(() -> c.sink.sessionClosed(reason));
    }
    failWaiters();
  }

  private void willDelayElapsed() {
    if (pendingWill != null && conn == null) {
      publishWill(pendingWill, client);
      pendingWill = null;
    }
  }

  private void publishWill(Message will, ClientInfo from) {
    if (!broker.authorizer.authorize(from, Authorizer.Action.PUBLISH, will.topic())) {
      LOG.debug("will of {} on {} not authorized", clientId, will.topic());
      return;
    }
    broker.received.increment();
    broker.route(will.withCreatedAt(now()), clientId);
  }

  private void scheduleExpiry() {
    long deadline = disconnectedAt + expiry.toMillis();
    long delay = Math.max(0, deadline - now());
    expiryTimer = broker.scheduler.schedule(() -> actor.execute(this::expireIfDue), delay, TimeUnit.MILLISECONDS);
  }

  private void expireIfDue() {
    if (conn != null || discarded || now() < disconnectedAt + expiry.toMillis()) {
      return;
    }
    if (pendingWill != null) {
      publishWill(pendingWill, client); // the will delay ends with the session (MQTT 5 §3.1.3.2.2)
      pendingWill = null;
    }
    LOG.debug("session {} expired", clientId);
    discard();
  }

  private void cancelTimers() {
    if (willTimer != null) {
      willTimer.cancel(false);
      willTimer = null;
    }
    if (expiryTimer != null) {
      expiryTimer.cancel(false);
      expiryTimer = null;
    }
  }

  private void resetState() {
    for (String raw : subscriptions.keySet()) {
      unindex(raw);
    }
    broker.subscriptionCount.addAndGet(-subscriptions.size());
    subscriptions.clear();
    queue.clear();
    gates.clear();
    inflight.clear();
    awaitingRel.clear();
    if (storedRecord) {
      broker.store.deleteSession(clientId);
      storedRecord = false;
    }
  }

  private void discard() {
    cancelTimers();
    resetState();
    discarded = true;
    broker.sessions.remove(clientId, this);
    broker.store.deleteSession(clientId);
    mirror();
  }

  /** Rebuilds a persistent session from its record (on the actor, at start). */
  void restore(SessionRecord r) {
    fresh = false;
    storedRecord = true;
    expiry = Duration.ofSeconds(r.expiryIntervalSeconds());
    willDelay = Duration.ofSeconds(r.willDelaySeconds());
    client = ClientInfo.of(r.clientId(), r.username(), r.protocol(), null);
    for (Subscription s : r.subscriptions()) {
      subscriptions.put(s.filter().value(), s);
      index(s);
    }
    for (StoredMessage sm : broker.store.loadMessages(clientId)) {
      if (sm.packetId() != 0) {
        inflight.put(sm.packetId(), sm);
      } else {
        queue.add(sm);
      }
      nextSeq = Math.max(nextSeq, sm.seq() + 1);
    }
    awaitingRel.addAll(broker.store.loadAwaitingRelease(clientId));
    if (r.disconnectedAtMillis() == 0) {
      // the process died while the client was connected: that connection ended abnormally, no later
      // than the last "alive" mark the process wrote (expiry runs from then, within ALIVE_INTERVAL)
      long alive = broker.previousAliveMillis;
      disconnectedAt = alive > 0 ? Math.min(alive, now()) : now();
      if (r.will() != null) {
        pendingWill = r.will();
        willDelayElapsed();
      }
      saveRecord();
    } else {
      disconnectedAt = r.disconnectedAtMillis();
    }
    scheduleExpiry();
    mirror();
  }

  private void saveRecord() {
    Connection c = conn;
    Message will = c != null ? c.will : pendingWill;
    broker.store.saveSession(new SessionRecord(
        clientId, client.protocol(), client.username(), expiry.toSeconds(), c != null ? 0 : disconnectedAt,
        List.copyOf(subscriptions.values()), will, willDelay.toSeconds()));
    storedRecord = true;
  }

  // ---- subscriptions --------------------------------------------------------------------------

  List<SubscribeOutcome> subscribe(Connection c, List<Subscription> requested, List<Runnable> after) {
    var limits = broker.limits;
    List<SubscribeOutcome> out = new ArrayList<>(requested.size());
    boolean changed = false;
    for (Subscription s : requested) {
      String raw = s.filter().value();
      Topics.Parsed p = Topics.parse(raw);
      if (p == null || Topics.checkFilter(p.filter(), limits.maxTopicLevels()) != null) {
        out.add(SubscribeOutcome.failed(SubscribeOutcome.Failure.TOPIC_FILTER_INVALID));
      } else if (p.group() != null && !limits.sharedSubscription()) {
        out.add(SubscribeOutcome.failed(SubscribeOutcome.Failure.SHARED_NOT_SUPPORTED));
      } else if (Topics.hasWildcard(p.filter()) && !limits.wildcardSubscription()) {
        out.add(SubscribeOutcome.failed(SubscribeOutcome.Failure.WILDCARD_NOT_SUPPORTED));
      } else if (s.subscriptionId() != 0 && !limits.subscriptionIdentifiers()) {
        out.add(SubscribeOutcome.failed(SubscribeOutcome.Failure.SUBSCRIPTION_ID_NOT_SUPPORTED));
      } else if (!broker.authorizer.authorize(c.client, Authorizer.Action.SUBSCRIBE, p.filter())) {
        out.add(SubscribeOutcome.failed(SubscribeOutcome.Failure.NOT_AUTHORIZED));
      } else if (limits.maxSubscriptions() > 0 && subscriptions.size() >= limits.maxSubscriptions() && !subscriptions.containsKey(raw)) {
        out.add(SubscribeOutcome.failed(SubscribeOutcome.Failure.QUOTA_EXCEEDED));
      } else {
        int granted = Math.min(s.qos(), limits.maxQosAllowed());
        Subscription eff = s.withQos(granted);
        boolean existed = subscriptions.put(raw, eff) != null;
        if (!existed) {
          broker.subscriptionCount.incrementAndGet();
        }
        index(eff);
        changed = true;
        out.add(SubscribeOutcome.granted(granted));
        // MQTT 5 §3.3.1.3: retained messages on subscribe, not for shared subscriptions
        if (p.group() == null && (s.retainHandling() == 0 || (s.retainHandling() == 1 && !existed))) {
          List<Integer> ids = s.subscriptionId() == 0 ? List.of() : List.of(s.subscriptionId());
          for (Message m : broker.retainedMatching(p.filter())) {
            Message out2 = m.withQos(Math.min(m.qos(), granted)).withRetain(true);
            after.add(() -> enqueueOnActor(out2, ids));
          }
        }
      }
    }
    if (changed && persistent()) {
      saveRecord();
    }
    mirror();
    return out;
  }

  void unsubscribe(List<TopicFilter> filters) {
    boolean changed = false;
    for (TopicFilter f : filters) {
      if (subscriptions.remove(f.value()) != null) {
        unindex(f.value());
        broker.subscriptionCount.decrementAndGet();
        changed = true;
      }
    }
    if (changed && persistent()) {
      saveRecord();
    }
    mirror();
  }

  private void index(Subscription s) {
    Topics.Parsed p = Topics.parse(s.filter().value());
    broker.trie.add(p.filter(), clientId, p.group(), s);
  }

  private void unindex(String raw) {
    Topics.Parsed p = Topics.parse(raw);
    if (p != null) {
      broker.trie.remove(p.filter(), clientId, p.group());
    }
  }

  // ---- delivery -------------------------------------------------------------------------------

  /** From any thread: queue a routed message for this session. */
  void enqueue(Message m, List<Integer> subscriptionIds) {
    actor.execute(() -> enqueueOnActor(m, subscriptionIds));
  }

  /**
   * As above; {@code queued} completes on the actor once the message (and its store write, if any) is
   * queued. With {@code routing}, the copy carries its tag and waits in the queue for its gate.
   */
  void enqueue(Message m, List<Integer> subscriptionIds, CompletableFuture<Void> queued, Broker.Routing routing) {
    actor.execute(() -> {
      try {
        enqueueOnActor(m, subscriptionIds, routing);
      } finally {
        queued.complete(null);
      }
    });
  }

  private void enqueueOnActor(Message m, List<Integer> subscriptionIds) {
    enqueueOnActor(m, subscriptionIds, null);
  }

  private void enqueueOnActor(Message m, List<Integer> subscriptionIds, Broker.Routing routing) {
    if (discarded) {
      return;
    }
    if (m.qos() == 0 && conn == null && !broker.limits.queueQos0()) {
      broker.droppedQos0Offline.increment();
      return;
    }
    boolean stored = m.qos() > 0 && persistent();
    if (stored && !broker.store.hasRoom()) {
      broker.droppedStoreFull.increment(); // persistence.max_bytes reached: drop the newest (docs/persistence.md)
      LOG.debug("store full, dropped a message on {} for {}", m.topic(), clientId);
      return;
    }
    StoredMessage sm = new StoredMessage(nextSeq++, m, subscriptionIds, 0, false,
        routing != null && stored ? routing.tag() : 0);
    int max = maxQueued > 0 ? maxQueued : broker.limits.maxQueuedMessages();
    if (max > 0 && queue.size() >= max) {
      broker.droppedQueueFull.increment();
      if (overflow == SessionOptions.Overflow.DROP_NEWEST) {
        LOG.debug("queue of {} full, dropped the new message on {}", clientId, m.topic());
        return;
      }
      StoredMessage dropped = queue.poll(); // drop the oldest (EMQX's mqueue behaviour)
      gates.remove(dropped.seq());
      forget(dropped);
      LOG.debug("queue of {} full, dropped the oldest message on {}", clientId, dropped.message().topic());
    }
    queue.add(sm);
    if (routing != null && !routing.gate().isDone()) {
      gates.put(sm.seq(), routing.gate());
    }
    if (stored) {
      broker.store.saveMessage(clientId, sm);
    }
    drain();
  }

  private void drain() {
    Connection c = conn;
    if (c != null && !asleep) {
      int window = c.options.receiveMaximum();
      int credits = queue.isEmpty() ? 0 : c.sink.credits(); // read once: bounds this drain
      while (!queue.isEmpty()) {
        StoredMessage head = queue.peek();
        if (head.message().qos() > 0 && inflight.size() >= Math.min(window, broker.limits.maxInflight())) {
          break;
        }
        if (credits <= 0 || gated(head)) {
          break;
        }
        credits--;
        queue.poll();
        if (head.message().isExpired(now())) {
          broker.droppedExpired.increment();
          forget(head);
          continue;
        }
        if (c.options.maxPacketSize() > 0 && approximateSize(head.message()) > c.options.maxPacketSize()) {
          broker.droppedTooLarge.increment(); // MQTT 5 §3.1.2.11.4: discard as if delivered
          forget(head);
          continue;
        }
        if (head.message().qos() > 0) {
          StoredMessage sent = head.sent(nextPacketId());
          inflight.put(sent.packetId(), sent);
          if (persistent()) {
            broker.store.saveMessage(clientId, sent);
          }
          send(c, sent, false);
        } else {
          send(c, head, false);
        }
      }
    }
    mirror();
    checkWaiters();
  }

  /**
   * Whether {@code head} still waits for its QoS 2 publish to become durable; if so, drains again
   * once it has (the queue behind it waits too, keeping the order).
   */
  private boolean gated(StoredMessage head) {
    if (gates.isEmpty()) {
      return false;
    }
    CompletableFuture<Void> gate = gates.get(head.seq());
    if (gate == null) {
      return false;
    }
    if (gate.isDone()) {
      gates.remove(head.seq());
      return false;
    }
    if (gate != hookedGate) {
      hookedGate = gate;
      gate.whenComplete((v, err) -> actor.execute(this::drain));
    }
    return true;
  }

  private void forget(StoredMessage sm) {
    if (sm.message().qos() > 0 && persistent()) {
      broker.store.deleteMessage(clientId, sm.seq());
    }
  }

  private static int approximateSize(Message m) {
    return 16 + m.topic().length() * 3 + m.payload().size();
  }

  private int nextPacketId() {
    for (int i = 0; i < 65535; i++) {
      int id = nextPacketId;
      nextPacketId = id == 65535 ? 1 : id + 1;
      if (!inflight.containsKey(id)) {
        return id;
      }
    }
    throw new IllegalStateException("no free packet id");
  }

  private void send(Connection c, StoredMessage sm, boolean dup) {
    Message m = sm.message();
    Long remaining = m.remainingExpirySeconds(now());
    if (remaining != null && !remaining.equals(m.properties().messageExpiryInterval())) {
      m = m.withProperties(m.properties().withMessageExpiryInterval(remaining));
    }
    Delivery d = new Delivery(new DeliveryId(sm.packetId()), m, dup, sm.released(), sm.subscriptionIds());
    broker.sent.increment();
    c.sink.executor().execute(() -> {
      if (!c.closed) {
        c.sink.deliver(d);
      }
    });
  }

  void acknowledge(Connection c, int packetId) {
    if (conn != c) {
      return;
    }
    StoredMessage sm = inflight.remove(packetId);
    if (sm != null && persistent()) {
      broker.store.deleteMessage(clientId, sm.seq());
    }
    drain();
  }

  void received(Connection c, int packetId) {
    if (conn != c) {
      return;
    }
    StoredMessage sm = inflight.get(packetId);
    if (sm != null && !sm.released()) {
      StoredMessage rel = sm.releasedState();
      inflight.put(packetId, rel);
      if (persistent()) {
        broker.store.saveMessage(clientId, rel);
      }
    }
  }

  void sleep(Connection c) {
    if (conn == c) {
      asleep = true;
      mirror();
    }
  }

  void wake(Connection c, CompletableFuture<Void> done) {
    if (conn != c) {
      done.completeExceptionally(new IllegalStateException("session closed"));
      return;
    }
    asleep = false;
    if (drainWaiters == null) {
      drainWaiters = new ArrayList<>(1);
    }
    drainWaiters.add(done);
    drain();
  }

  void creditsAvailable(Connection c) {
    if (conn == c) {
      drain();
    }
  }

  void updateWill(Connection c, Message will) {
    if (conn == c) {
      c.will = will;
      if (persistent()) {
        saveRecord();
      }
    }
  }

  private void checkWaiters() {
    if (drainWaiters != null && queue.isEmpty() && inflight.isEmpty()) {
      List<CompletableFuture<Void>> w = drainWaiters;
      drainWaiters = null;
      Connection c = conn;
      for (CompletableFuture<Void> f : w) {
        if (c != null) {
          c.sink.executor().execute(() -> f.complete(null));
        } else {
          f.complete(null);
        }
      }
    }
  }

  private void failWaiters() {
    if (drainWaiters != null) {
      drainWaiters.forEach(f -> f.completeExceptionally(new IllegalStateException("session closed")));
      drainWaiters = null;
    }
  }

  void addAwaitingRelease(int packetId) {
    if (persistent()) {
      broker.store.addAwaitingRelease(clientId, packetId);
    }
  }

  void removeAwaitingRelease(int packetId) {
    if (persistent()) {
      broker.store.removeAwaitingRelease(clientId, packetId);
    }
  }

  // ---- listing --------------------------------------------------------------------------------

  private void mirror() {
    connected = conn != null;
    connMirror = conn;
    asleepMirror = asleep;
    queuedMirror = queue.size();
    inflightMirror = inflight.size();
    clientMirror = client;
    disconnectedAtMirror = disconnectedAt;
    persistentMirror = persistent();
    subscriptionMirror = subscriptions.size();
  }

  /** Whether the session outlives its connection, as last seen on the actor (for the adapter's thread). */
  boolean persistentSnapshot() {
    return persistentMirror;
  }

  int queuedSnapshot() {
    return queuedMirror;
  }

  SessionView view() {
    ClientInfo ci = clientMirror;
    Connection c = connMirror;
    String state = c != null ? (asleepMirror ? "asleep" : "connected") : "disconnected";
    Map<String, Object> attrs = new HashMap<>();
    attrs.putAll(c != null ? c.sink.attributes() : lastAttributes);
    return new SessionView(
        clientId,
        ci == null ? "" : ci.protocol(),
        ci == null ? null : ci.username(),
        ci == null || ci.peer() == null ? null : ci.peer().toString(),
        state, persistentMirror, subscriptionMirror, queuedMirror, inflightMirror,
        c == null ? 0 : c.connectedAt, disconnectedAtMirror, attrs);
  }

}
