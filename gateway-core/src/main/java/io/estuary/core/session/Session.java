package io.estuary.core.session;

import io.estuary.api.BrokerSession;
import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.Delivery;
import io.estuary.api.DeliveryId;
import io.estuary.api.DeliverySink;
import io.estuary.api.Message;
import io.estuary.api.SessionOptions;
import io.estuary.api.SubscribeOutcome;
import io.estuary.api.Subscription;
import io.estuary.api.TopicFilter;
import io.estuary.core.auth.Authorizer;
import io.estuary.core.store.SessionRecord;
import io.estuary.core.store.StoredMessage;
import io.estuary.core.topic.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
  private volatile long queuedBytesMirror;
  /** overflow = BACKPRESSURE: routing hands this session a stage to complete once a message is admitted. */
  volatile boolean holdsPublishers;
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
  private SessionOptions.Overflow overflow = SessionOptions.Overflow.DROP_OLDEST;
  private long maxQueuedAgeMillis;
  private boolean fresh = true;
  private boolean discarded;
  private boolean asleep;
  private boolean storedRecord;
  private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
  private final SessionQueue queue;
  private final LinkedHashMap<Integer, StoredMessage> inflight = new LinkedHashMap<>();
  private int nextPacketId = 1;
  private long nextSeq = 1;
  private long disconnectedAt;
  private Message pendingWill;
  private SessionTimers.Timer willTimer;
  private SessionTimers.Timer expiryTimer;
  private List<CompletableFuture<Void>> drainWaiters;
  private SessionTimers.Timer ageTimer;

  Session(Broker broker, String clientId) {
    this.broker = broker;
    this.clientId = clientId;
    this.actor = new SerialExecutor(broker.sessionPool);
    this.queue = new SessionQueue(() -> actor.execute(this::drain));
    queue.caps(broker.limits.maxQueuedMessages(), broker.limits.maxQueuedBytes());
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
    overflow = requested.overflow();
    queue.caps(requested.maxQueued() > 0 ? requested.maxQueued() : broker.limits.maxQueuedMessages(),
        requested.maxQueuedBytes() > 0 ? requested.maxQueuedBytes() : broker.limits.maxQueuedBytes());
    maxQueuedAgeMillis = requested.maxQueuedAge().toMillis();
    holdsPublishers = overflow == SessionOptions.Overflow.BACKPRESSURE;
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
        willTimer = broker.timers.schedule(() -> actor.execute(this::willDelayElapsed), delay);
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
    broker.route(will.withCreatedAt(now()).withPublisher(clientId), clientId);
  }

  private void scheduleExpiry() {
    long deadline = disconnectedAt + expiry.toMillis();
    long delay = Math.max(0, deadline - now());
    expiryTimer = broker.timers.schedule(() -> actor.execute(this::expireIfDue), delay);
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
      willTimer.cancel();
      willTimer = null;
    }
    if (expiryTimer != null) {
      expiryTimer.cancel();
      expiryTimer = null;
    }
    if (ageTimer != null) {
      ageTimer.cancel();
      ageTimer = null;
    }
  }

  private void resetState() {
    for (String raw : subscriptions.keySet()) {
      unindex(raw);
    }
    broker.subscriptionCount.addAndGet(-subscriptions.size());
    subscriptions.clear();
    queue.clear();
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
        queue.add(sm, null, null);
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
            after.add(() -> enqueueOnActor(out2, ids, null, null));
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
    actor.execute(() -> enqueueOnActor(m, subscriptionIds, null, null));
  }

  /**
   * As above; {@code queued} completes on the actor once the message (and its store write, if any) is
   * queued, or, for a message held back by the BACKPRESSURE policy, once the queue has room for it.
   * With {@code routing}, the copy carries its tag and waits in the queue for its gate, and
   * {@code written} completes once its store write is queued (even while it is held back).
   */
  void enqueue(Message m, List<Integer> subscriptionIds, CompletableFuture<Void> queued, Broker.Routing routing,
      CompletableFuture<Void> written) {
    actor.execute(() -> {
      boolean heldBack = false;
      try {
        heldBack = enqueueOnActor(m, subscriptionIds, queued, routing);
      } finally {
        if (!heldBack) {
          queued.complete(null);
        }
        if (written != null) {
          written.complete(null);
        }
      }
    });
  }

  /** Returns true when the message was queued beyond the caps and {@code admitted} completes later. */
  private boolean enqueueOnActor(Message m, List<Integer> subscriptionIds, CompletableFuture<Void> admitted,
      Broker.Routing routing) {
    if (discarded) {
      return false;
    }
    if (m.qos() == 0 && conn == null && !broker.limits.queueQos0()) {
      broker.droppedQos0Offline.increment();
      return false;
    }
    boolean stored = m.qos() > 0 && persistent();
    if (stored && !broker.store.hasRoom()) {
      broker.droppedStoreFull.increment(); // persistence.max_bytes reached: drop the newest (docs/persistence.md)
      LOG.debug("store full, dropped a message on {} for {}", m.topic(), clientId);
      return false;
    }
    purgeOld();
    int size = SessionQueue.size(m);
    boolean heldBack = false;
    if (queue.hasHeld() || !queue.fits(size)) {
      if (overflow == SessionOptions.Overflow.BACKPRESSURE && m.qos() > 0) {
        heldBack = admitted != null; // queued beyond the caps: its publisher waits for room
      } else {
        if (overflow != SessionOptions.Overflow.DROP_OLDEST) {
          broker.droppedQueueFull.increment();
          LOG.debug("queue of {} full, dropped the new message on {}", clientId, m.topic());
          return false;
        }
        while (!queue.isEmpty() && !queue.fits(size)) {
          StoredMessage dropped = queue.poll(); // drop the oldest (EMQX's mqueue behaviour)
          broker.droppedQueueFull.increment();
          forget(dropped);
          LOG.debug("queue of {} full, dropped the oldest message on {}", clientId, dropped.message().topic());
        }
      }
    }
    StoredMessage sm = new StoredMessage(nextSeq++, m, subscriptionIds, 0, false,
        routing != null && stored ? routing.tag() : 0);
    queue.add(sm, routing == null ? null : routing.gate(), heldBack ? admitted : null);
    if (stored) {
      broker.store.saveMessage(clientId, sm);
    }
    drain();
    return heldBack;
  }

  private boolean tooOld(StoredMessage sm, long now) {
    long created = sm.message().createdAtMillis();
    return maxQueuedAgeMillis > 0 && created > 0 && now - created >= maxQueuedAgeMillis;
  }

  /** Drops queued messages older than the age cap from the head (the queue is in arrival order). */
  private void purgeOld() {
    if (maxQueuedAgeMillis <= 0) {
      return;
    }
    long now = now();
    while (!queue.isEmpty() && tooOld(queue.peek(), now)) {
      StoredMessage old = queue.poll();
      broker.droppedQueueAge.increment();
      forget(old);
      LOG.debug("message on {} older than the queue age cap of {}, dropped", old.message().topic(), clientId);
    }
  }

  /** Wakes the actor when the oldest queued message reaches the age cap, so an idle queue expires too. */
  private void scheduleAgePurge() {
    if (maxQueuedAgeMillis <= 0 || ageTimer != null || queue.isEmpty() || discarded) {
      return;
    }
    long created = queue.peek().message().createdAtMillis();
    long delay = Math.max(1, created + maxQueuedAgeMillis - now());
    ageTimer = broker.timers.schedule(() -> actor.execute(() -> {
      ageTimer = null;
      drain();
    }), delay);
  }

  private void drain() {
    purgeOld();
    Connection c = conn;
    if (c != null && !asleep) {
      int window = c.options.receiveMaximum();
      int credits = queue.isEmpty() ? 0 : c.sink.credits(); // read once: bounds this drain
      List<Delivery> batch = null;
      while (!queue.isEmpty()) {
        StoredMessage head = queue.peek();
        if (head.message().qos() > 0 && inflight.size() >= Math.min(window, broker.limits.maxInflight())) {
          break;
        }
        if (credits <= 0 || queue.gated(head)) {
          break;
        }
        credits--;
        queue.poll();
        if (head.message().isExpired(now())) {
          broker.droppedExpired.increment();
          forget(head);
          continue;
        }
        if (tooOld(head, now())) {
          broker.droppedQueueAge.increment();
          forget(head);
          continue;
        }
        if (c.options.maxPacketSize() > 0 && approximateSize(head.message()) > c.options.maxPacketSize()) {
          broker.droppedTooLarge.increment(); // MQTT 5 §3.1.2.11.4: discard as if delivered
          forget(head);
          continue;
        }
        if (batch == null) {
          batch = new ArrayList<>(Math.min(credits + 1, 64));
        }
        if (head.message().qos() > 0) {
          StoredMessage sent = head.sent(nextPacketId());
          inflight.put(sent.packetId(), sent);
          if (persistent()) {
            broker.store.saveMessage(clientId, sent);
          }
          batch.add(delivery(sent, false));
        } else {
          batch.add(delivery(head, false));
        }
      }
      if (batch != null) {
        sendAll(c, batch); // one executor task for the whole drain
      }
    }
    queue.releaseHeld();
    scheduleAgePurge();
    mirror();
    checkWaiters();
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
    Delivery d = delivery(sm, dup);
    c.sink.executor().execute(() -> {
      if (!c.closed) {
        c.sink.deliver(d);
      }
    });
  }

  private Delivery delivery(StoredMessage sm, boolean dup) {
    Message m = sm.message();
    Long remaining = m.remainingExpirySeconds(now());
    if (remaining != null && !remaining.equals(m.properties().messageExpiryInterval())) {
      m = m.withProperties(m.properties().withMessageExpiryInterval(remaining));
    }
    broker.sent.increment();
    return new Delivery(new DeliveryId(sm.packetId()), m, dup, sm.released(), sm.subscriptionIds());
  }

  private void sendAll(Connection c, List<Delivery> batch) {
    if (batch.size() == 1) {
      Delivery d = batch.get(0);
      c.sink.executor().execute(() -> {
        if (!c.closed) {
          c.sink.deliver(d);
        }
      });
      return;
    }
    c.sink.executor().execute(() -> {
      if (!c.closed) {
        c.sink.deliver(batch);
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

  /** Several acknowledgements, then one drain. */
  void acknowledgeAll(Connection c, List<DeliveryId> ids) {
    if (conn != c) {
      return;
    }
    for (DeliveryId id : ids) {
      StoredMessage sm = inflight.remove((int) id.value());
      if (sm != null && persistent()) {
        broker.store.deleteMessage(clientId, sm.seq());
      }
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
    queuedBytesMirror = queue.bytes();
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

  long queuedBytesSnapshot() {
    return queuedBytesMirror;
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
