package io.estuary.core.session;

import io.estuary.api.concurrent.SerialExecutor;
import io.estuary.api.BrokerSession;
import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.DeliverySink;
import io.estuary.api.Message;
import io.estuary.api.SessionOptions;
import io.estuary.api.SessionRefusedException;
import io.estuary.api.SubscribeOutcome;
import io.estuary.api.Subscription;
import io.estuary.api.TopicFilter;
import io.estuary.core.store.SessionRecord;
import io.estuary.core.store.StoredMessage;
import io.estuary.api.topic.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's session: its current connection (attach, take-over, close), subscriptions and the
 * duplicate-suppression keys of exactly-once publishes. The outbound side (queue, inflight, sleep) is
 * its {@link Outbox}; what happens between connections (will, expiry) its {@link SessionExpiry}.
 * Everything but the volatile mirrors and {@link #heldKeys} is touched only on {@link #actor}.
 * Persistent sessions write through to the store.
 */
final class Session {
  private static final Logger LOG = LoggerFactory.getLogger(Session.class);
  /** Bound of the per-session delivery decision cache (topics). */
  static final int DELIVERY_DECISIONS = 256;

  final Broker broker;
  final String clientId;
  final SerialExecutor actor;
  /** Keys held by {@link BrokerSession#publishOnce} until released; concurrent: adapters check it on their thread. */
  final Set<Integer> heldKeys = ConcurrentHashMap.newKeySet();

  // volatile mirrors for listings and routing decisions
  private volatile boolean connectedMirror;
  private volatile boolean holdsPublishersMirror;
  private volatile boolean asleepMirror;
  private volatile int queuedMirror;
  private volatile long queuedBytesMirror;
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
  private boolean fresh = true;
  private boolean discarded;
  private boolean storedRecord;
  private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
  /** Who the session belongs to; null while unknown (a fresh session, or a record from before owners were stored). */
  private SessionRecord.Owner owner;
  /** Whether deliveries to {@link #client} are checked against the ACL (false: superuser, or no rule could deny). */
  private boolean checksDelivery;
  /** Topic → delivery decision for {@link #client}, most recently used last; the ACL does not change at run time. */
  private final LinkedHashMap<String, Boolean> deliveryDecisions = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > DELIVERY_DECISIONS;
    }
  };
  private final Outbox outbox;
  private final SessionExpiry expiry;

  Session(Broker broker, String clientId) {
    this.broker = broker;
    this.clientId = clientId;
    this.actor = broker.newSessionExecutor();
    this.outbox = new Outbox(this, broker);
    this.expiry = new SessionExpiry(this, broker);
    // a session restored from the store follows mqtt.mqueue_overflow before any connection configures it
    this.holdsPublishersMirror = outbox.holdsPublishers();
  }

  // ---- for the phases (actor) -----------------------------------------------------------------

  Connection connection() {
    return conn;
  }

  ClientInfo client() {
    return client;
  }

  boolean persistent() {
    return expiry.persistent();
  }

  boolean discarded() {
    return discarded;
  }

  Outbox outbox() {
    return outbox;
  }

  // ---- attach, take-over, close ---------------------------------------------------------------

  void attach(ClientInfo info, SessionOptions requested, DeliverySink sink, CompletableFuture<BrokerSession> f) {
    if (discarded) {
      broker.openInto(info, requested, sink, f);
      return;
    }
    // issue #12: resuming or taking over needs the owner's identity or a superuser; refused before any change
    if (!fresh && owner != null && !owner.matches(info) && !broker.isSuperuser(info)) {
      broker.refuse(info, sink, f, new SessionRefusedException(SessionRefusedException.Reason.NOT_OWNER,
          "session belongs to another identity"));
      return;
    }
    boolean present = !fresh && !requested.cleanStart();
    if (conn != null) {
      Connection old = conn;
      detach(old, CloseReason.TAKEN_OVER, true);
      // MQTT 5 §3.1.4: the old connection's will goes out unless its delay runs and the session resumes
      if (old.will != null && (requested.cleanStart() || !expiry.delays(old.options.willDelay()))) {
        expiry.publishWill(old.will, old.client);
      }
      LOG.debug("client {} taken over from {} by {}", clientId, old.client.peer(), info.peer());
    }
    expiry.attached(requested);
    outbox.cancelTimer();
    if (requested.cleanStart()) {
      resetState();
    }
    outbox.configure(requested.queue());
    holdsPublishersMirror = outbox.holdsPublishers();
    if (requested.cleanStart() || owner == null) {
      owner = SessionRecord.Owner.of(info); // a superuser resuming someone's session leaves it theirs
    }
    identify(info);
    if (present) {
      reauthorize();
    }
    fresh = false;
    Connection c = new Connection(sink, info, requested, broker.clock.millis(), actor,
        () -> actor.execute(this::resumeDrain));
    conn = c;
    broker.connectionsChanged(info.protocol(), 1);
    if (persistent()) {
      saveRecord();
    } else if (storedRecord) {
      broker.store.deleteSession(clientId);
      storedRecord = false;
    }
    mirror();
    broker.events.sessionAttached(clientId, this, info); // adapters' session watches: before the opener hears of it
    SessionHandle handle = new SessionHandle(this, c, present);
    c.onSink(() -> f.complete(handle)); // before any delivery: the adapter holds its session first
    outbox.resend(c);
    outbox.drain();
  }

  /** The client the session acts for changed: its delivery checks start over. */
  private void identify(ClientInfo info) {
    client = info;
    checksDelivery = broker.authorizer.checksDelivery(info);
    deliveryDecisions.clear();
  }

  /** The ACL was reloaded: delivery checks start over (on the actor). */
  void aclChanged() {
    if (client != null) {
      identify(client);
    }
  }

  /** On resume: drops the stored subscriptions the current ACL no longer grants this client, before any delivery. */
  private void reauthorize() {
    List<String> revoked = new ArrayList<>(0);
    for (String raw : subscriptions.keySet()) {
      Topics.Parsed p = Topics.parse(raw);
      if (p == null || !broker.router.maySubscribe(client, p.filter())) {
        revoked.add(raw);
      }
    }
    for (String raw : revoked) {
      subscriptions.remove(raw);
      unindex(raw);
      broker.subscriptionsChanged(-1);
      broker.counters.deniedResume.increment();
      Broker.DROPS.info("subscription {} of {} ({}) revoked on resume: the ACL no longer grants it", raw, clientId,
          client.username());
    }
  }

  /**
   * Whether a message on {@code topic} may go to this session's client (issue #12: deny rules hold on
   * delivery). Cached per topic; skipped for superusers and clients no rule could deny. Actor only.
   */
  boolean mayDeliver(String topic) {
    if (!checksDelivery) {
      return true;
    }
    Boolean decision = deliveryDecisions.get(topic);
    if (decision == null) {
      decision = broker.authorizer.authorizeDelivery(client, topic);
      deliveryDecisions.put(topic, decision);
    }
    if (!decision) {
      broker.counters.deniedDelivery.increment();
      Broker.DROPS.debug("message on {} not delivered to {}: the ACL denies it", topic, clientId);
    }
    return decision;
  }

  private void resumeDrain() {
    if (conn != null) {
      outbox.drainNow();
    }
  }

  /** The adapter closed its connection (handle.close); a stale handle changes nothing. */
  void closeFromClient(Connection c, CloseReason reason) {
    if (conn == c) {
      connectionEnded(reason, false);
    }
  }

  /**
   * The adapter discards its connection's session (handle.discard, an unproven MQTT-SN client): the
   * connection ends without a will and the session is deleted even if persistent; a stale handle
   * changes nothing.
   */
  void discardFromClient(Connection c) {
    if (conn == c) {
      detach(c, CloseReason.SESSION_EXPIRED, false); // no will, no record saved: the session goes at once
      discard();
    }
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
    expiry.cancelTimers();
    outbox.cancelTimer();
  }

  private void connectionEnded(CloseReason reason, boolean notifySink) {
    Connection c = conn;
    detach(c, reason, notifySink);
    expiry.connectionEnded(c.will, c.client, reason.publishesWill());
    if (!persistent()) {
      discard();
    } else {
      saveRecord();
      expiry.scheduleExpiry();
    }
    mirror();
  }

  private void detach(Connection c, CloseReason reason, boolean notifySink) {
    // keep what the adapter last said (e.g. MQTT-SN "lost") for the listing of a session that stays
    Map<String, Object> last = new HashMap<>(c.sink.attributes());
    last.put("close_reason", reason.name().toLowerCase(Locale.ROOT));
    lastAttributes = last;
    conn = null;
    c.closed = true;
    broker.connectionsChanged(c.client.protocol(), -1);
    if (notifySink) {
      c.onSink(() -> c.sink.sessionClosed(reason));
    }
    outbox.connectionEnded(c);
  }

  private void resetState() {
    for (String raw : subscriptions.keySet()) {
      unindex(raw);
    }
    broker.subscriptionsChanged(-subscriptions.size());
    subscriptions.clear();
    outbox.clear();
    heldKeys.clear();
    if (storedRecord) {
      broker.store.deleteSession(clientId);
      storedRecord = false;
    }
  }

  void discard() {
    expiry.cancelTimers();
    outbox.cancelTimer();
    resetState();
    discarded = true;
    broker.removed(this);
    broker.events.sessionEnded(clientId, this);
    broker.store.deleteSession(clientId);
    mirror();
  }

  /** Rebuilds a persistent session from its record (on the actor, at start). */
  void restore(SessionRecord r) {
    fresh = false;
    storedRecord = true;
    owner = r.owner();
    identify(new ClientInfo(r.clientId(), r.username(), r.protocol(), null, null, "", owner == null ? null : owner.authIdentity()));
    for (Subscription s : r.subscriptions()) {
      subscriptions.put(s.filter().value(), s);
      index(s);
    }
    for (StoredMessage sm : broker.store.loadMessages(clientId)) {
      outbox.restore(sm);
    }
    heldKeys.addAll(broker.store.loadAwaitingRelease(clientId));
    expiry.restore(r);
    if (r.disconnectedAtMillis() == 0) {
      saveRecord(); // now disconnected
    }
    expiry.scheduleExpiry();
    mirror();
  }

  private void saveRecord() {
    Connection c = conn;
    Message will = c != null ? c.will : expiry.pendingWill();
    broker.store.saveSession(new SessionRecord(
        clientId, client.protocol(), client.username(), expiry.expirySeconds(), c != null ? 0 : expiry.disconnectedAt(),
        List.copyOf(subscriptions.values()), will, expiry.willDelaySeconds(), owner));
    storedRecord = true;
  }

  void updateWill(Connection c, Message will) {
    if (conn == c) {
      c.will = will;
      if (persistent()) {
        saveRecord();
      }
    }
  }

  // ---- subscriptions --------------------------------------------------------------------------

  List<SubscribeOutcome> subscribe(Connection c, List<Subscription> requested, List<Runnable> after) {
    var limits = broker.limits;
    List<SubscribeOutcome> out = new ArrayList<>(requested.size());
    boolean changed = false;
    for (Subscription s : requested) {
      String raw = s.filter().value();
      Topics.Parsed p = Topics.parse(raw);
      if (p == null || !broker.router.filterAccepted(c.client, p.filter())) {
        out.add(SubscribeOutcome.failed(SubscribeOutcome.Failure.TOPIC_FILTER_INVALID));
      } else if (p.group() != null && !limits.sharedSubscription()) {
        out.add(SubscribeOutcome.failed(SubscribeOutcome.Failure.SHARED_NOT_SUPPORTED));
      } else if (Topics.hasWildcard(p.filter()) && !limits.wildcardSubscription()) {
        out.add(SubscribeOutcome.failed(SubscribeOutcome.Failure.WILDCARD_NOT_SUPPORTED));
      } else if (s.subscriptionId() != 0 && !limits.subscriptionIdentifiers()) {
        out.add(SubscribeOutcome.failed(SubscribeOutcome.Failure.SUBSCRIPTION_ID_NOT_SUPPORTED));
      } else if (!broker.router.maySubscribe(c.client, p.filter())) {
        broker.counters.deniedSubscribe.increment();
        out.add(SubscribeOutcome.failed(SubscribeOutcome.Failure.NOT_AUTHORIZED));
      } else if (limits.maxSubscriptions() > 0 && subscriptions.size() >= limits.maxSubscriptions() && !subscriptions.containsKey(raw)) {
        out.add(SubscribeOutcome.failed(SubscribeOutcome.Failure.QUOTA_EXCEEDED));
      } else if (!broker.router.index(c.client, clientId, p, s.withQos(Math.min(s.qos(), limits.maxQosAllowed())))) {
        out.add(SubscribeOutcome.failed(SubscribeOutcome.Failure.QUOTA_EXCEEDED)); // mqtt.max_topic_tree_nodes
      } else {
        int granted = Math.min(s.qos(), limits.maxQosAllowed());
        Subscription eff = s.withQos(granted);
        Subscription before = subscriptions.put(raw, eff);
        boolean existed = before != null;
        if (!existed) {
          broker.subscriptionsChanged(1);
        }
        changed |= !eff.equals(before); // the same subscription again writes no new record (a SUBSCRIBE loop would)
        out.add(SubscribeOutcome.granted(granted));
        // MQTT 5 §3.3.1.3: retained messages on subscribe, not for shared subscriptions
        if (p.group() == null && (s.retainHandling() == 0 || (s.retainHandling() == 1 && !existed))) {
          List<Integer> ids = s.subscriptionId() == 0 ? List.of() : List.of(s.subscriptionId());
          for (Message m : broker.router.retainedMatching(p.filter())) {
            Message copy = m.withQos(Math.min(m.qos(), granted)).withRetain(true);
            // a charge of its own: the retained message may be replaced while the copy waits
            QueueBudget.Charge charge = new QueueBudget.Charge(SessionQueue.size(copy));
            after.add(() -> outbox.enqueue(copy, ids, charge, null, null));
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

  /** One entry per filter, in order: whether this session had that subscription. */
  List<Boolean> unsubscribe(List<TopicFilter> filters) {
    boolean changed = false;
    List<Boolean> had = new ArrayList<>(filters.size());
    for (TopicFilter f : filters) {
      boolean removed = subscriptions.remove(f.value()) != null;
      if (removed) {
        unindex(f.value());
        broker.subscriptionsChanged(-1);
        changed = true;
      }
      had.add(removed);
    }
    if (changed && persistent()) {
      saveRecord();
    }
    mirror();
    return had;
  }

  /** A stored subscription back in the index at start: never refused (it was admitted when made). */
  private void index(Subscription s) {
    Topics.Parsed p = Topics.parse(s.filter().value());
    broker.router.trie.add(p.filter(), clientId, p.group(), s);
  }

  private void unindex(String raw) {
    Topics.Parsed p = Topics.parse(raw);
    if (p != null && broker.router.trie.remove(p.filter(), clientId, p.group()) && p.group() != null) {
      broker.router.sharedMemberLeft(raw, p.filter(), p.group());
    }
  }

  // ---- from the router (any thread) -----------------------------------------------------------

  /** Queues a routed message for this session; {@code charge}: its publish's in the broker's {@link QueueBudget}. */
  void enqueue(Message m, List<Integer> subscriptionIds, QueueBudget.Charge charge) {
    actor.execute(() -> outbox.enqueue(m, subscriptionIds, charge, null, null));
  }

  /**
   * As {@link #enqueue(Message, List, QueueBudget.Charge)}, run on the caller's thread when the session's executor is idle
   * ({@link SerialExecutor#executeInline}): for a publish with this one target, whose publisher's thread
   * would otherwise wake a pool thread for one message (issue #18, the fixed-rate fan-in tail).
   */
  void enqueueInline(Message m, List<Integer> subscriptionIds, QueueBudget.Charge charge) {
    actor.executeInline(() -> outbox.enqueue(m, subscriptionIds, charge, null, null));
  }

  /**
   * As above; {@code queued} completes on the actor once the message (and its store write, if any) is
   * queued, or, for a message held back by the BACKPRESSURE policy, once the queue has room for it.
   * With {@code routing}, the copy carries its tag and waits in the queue for its gate, and
   * {@code written} completes once its store write is queued (even while it is held back). With
   * {@code inline}, run on the caller's thread when the session's executor is idle.
   */
  void enqueue(Message m, List<Integer> subscriptionIds, QueueBudget.Charge charge, CompletableFuture<Void> queued,
      Router.Routing routing, CompletableFuture<Void> written, boolean inline) {
    Runnable task = () -> {
      boolean heldBack = false;
      try {
        heldBack = outbox.enqueue(m, subscriptionIds, charge, queued, routing);
      } finally {
        if (!heldBack) {
          queued.complete(null);
        }
        if (written != null) {
          written.complete(null);
        }
      }
    };
    if (inline) {
      actor.executeInline(task);
    } else {
      actor.execute(task);
    }
  }

  /** Whether this session is connected now, as last seen on the actor (shared-subscription picks). */
  boolean connected() {
    return connectedMirror;
  }

  /** overflow = BACKPRESSURE: routing hands this session a stage to complete once a message is admitted. */
  boolean holdsPublishers() {
    return holdsPublishersMirror;
  }

  // ---- listing --------------------------------------------------------------------------------

  void mirror() {
    connectedMirror = conn != null;
    connMirror = conn;
    asleepMirror = outbox.asleep();
    queuedMirror = outbox.queued();
    queuedBytesMirror = outbox.queuedBytes();
    inflightMirror = outbox.inflight();
    clientMirror = client;
    disconnectedAtMirror = expiry.disconnectedAt();
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

  /** The session's subscriptions; call on {@link #actor} (the management API does, through {@link Broker#subscriptionsOf}). */
  List<io.estuary.api.Subscription> subscriptionList() {
    return List.copyOf(subscriptions.values());
  }

  SessionView view() {
    ClientInfo ci = clientMirror;
    Connection c = connMirror;
    String state = c != null ? (asleepMirror ? "asleep" : "connected") : "disconnected";
    Map<String, Object> attrs = new HashMap<>(c != null ? c.sink.attributes() : lastAttributes);
    return new SessionView(
        clientId,
        ci == null ? "" : ci.protocol(),
        ci == null ? null : ci.username(),
        ci == null || ci.peer() == null ? null : ci.peer().toString(),
        state, persistentMirror, subscriptionMirror, queuedMirror, inflightMirror,
        c == null ? 0 : c.connectedAt, disconnectedAtMirror, attrs);
  }
}
