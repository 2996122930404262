package io.estuary.core.session;

import io.estuary.api.ClientInfo;
import io.estuary.api.Message;
import io.estuary.api.PublishOutcome;
import io.estuary.api.Subscription;
import io.estuary.core.auth.Authorizer;
import io.estuary.core.config.MqttLimits;
import io.estuary.core.store.Store;
import io.estuary.core.store.StoreAdmission;
import io.estuary.core.topic.RetainedIndex;
import io.estuary.core.topic.TopicTrie;
import io.estuary.api.topic.Topics;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publish checks and routing: validates and authorizes a message, keeps the retained index, matches the
 * subscription index (with shared-subscription groups) and hands a copy to each target session's
 * executor. Runs on the publisher's thread and touches only concurrent structures.
 */
final class Router {
  private final MqttLimits limits;
  private final Store store;
  private final Authorizer authorizer;
  private final Clock clock;
  private final MessageCounters counters;
  private final Map<String, Session> sessions;
  final TopicTrie<Subscription> trie = new TopicTrie<>();
  private final RetainedIndex retained = new RetainedIndex();
  private final CoreLimits caps;
  /**
   * Each shared group's round-robin position, by its raw filter ({@code $share/<group>/<filter>}); dropped when the
   * group's last member leaves ({@link #sharedMemberLeft}), so subscribing to ever new groups leaks nothing.
   */
  private final ConcurrentHashMap<String, AtomicInteger> sharedCursors = new ConcurrentHashMap<>();
  private final AtomicLong routingTags = new AtomicLong(System.currentTimeMillis() << 16);

  Router(MqttLimits limits, Store store, Authorizer authorizer, Clock clock, MessageCounters counters,
      Map<String, Session> sessions) {
    this.limits = limits;
    this.store = store;
    this.authorizer = authorizer;
    this.clock = clock;
    this.counters = counters;
    this.sessions = sessions;
    this.caps = new CoreLimits(limits, counters.metrics());
    counters.metrics().gauge("topic_tree.nodes", trie::nodes);
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
  CompletableFuture<Void> durableAfter(List<CompletableFuture<Void>> writes, boolean retain) {
    if (writes.isEmpty() && !retain) {
      return CompletableFuture.completedFuture(null);
    }
    return allOf(writes).thenCompose(v -> store.sync().toCompletableFuture());
  }

  /**
   * Validates, authorizes and routes a message from {@code publisher} (null: the broker itself) on the
   * caller's thread. With {@code writes} non-null, adds one stage per QoS 1/2 target when the store is
   * durable (see {@link #durableAfter}) or the target holds publishers back (overflow = BACKPRESSURE).
   * With {@code routing} non-null (a persistent publisher's QoS 2 publish with a durable store), each
   * queued copy carries its tag and is delivered only once its gate completes.
   */
  PublishOutcome publish(ClientInfo publisher, Message m, List<CompletableFuture<Void>> writes, Routing routing) {
    if (!caps.topicNameAccepted(publisher, m.topic())) {
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
    if (publisher != null && !mayPublish(publisher, m.topic())) {
      return PublishOutcome.of(PublishOutcome.Status.NOT_AUTHORIZED);
    }
    String from = publisher == null ? null : publisher.clientId();
    if (writes != null && store.refusal() != null && wouldStore(m, from) && !store.admit(StoreAdmission.Work.PUBLISH)) {
      return PublishOutcome.of(PublishOutcome.Status.QUOTA_EXCEEDED); // full or failing store (issue #13)
    }
    counters.received.increment();
    // one copy at most (not one per stamp): the time it was accepted and who published it
    Message stamped = m.createdAtMillis() > 0 && Objects.equals(m.publisher(), from) ? m
        : new Message(m.topic(), m.payload(), m.qos(), m.retain(), m.properties(),
            m.createdAtMillis() > 0 ? m.createdAtMillis() : clock.millis(), from);
    int matched = route(stamped, from, writes, routing);
    return new PublishOutcome(matched > 0 ? PublishOutcome.Status.OK : PublishOutcome.Status.NO_MATCHING_SUBSCRIBERS, matched);
  }

  /** A will, on its session's executor, after the topic limits and the ACL check; false if either refused it. */
  boolean publishWill(ClientInfo from, Message will) {
    if (!caps.topicNameAccepted(from, will.topic()) || !mayPublish(from, will.topic())) {
      return false;
    }
    counters.received.increment();
    route(will.withCreatedAt(clock.millis()).withPublisher(from.clientId()), from.clientId(), null, null);
    return true;
  }

  /**
   * A client's publish: never to {@code $SYS} (the broker's and its adapters' own sessions' alone, whatever
   * the ACL says: issue #12),
   * else the ACL's answer. A refusal is counted and logged.
   */
  private boolean mayPublish(ClientInfo publisher, String topic) {
    // a '$' client id is an adapter's own ($uplink/<name> publishes its status): IdentityRules and
    // Broker.publish let no device use one
    boolean sys = (topic.equals("$SYS") || topic.startsWith("$SYS/")) && !publisher.clientId().startsWith("$");
    if (!sys && authorizer.authorize(publisher, Authorizer.Action.PUBLISH, topic)) {
      return true;
    }
    counters.deniedPublish.increment();
    Broker.DROPS.debug("publish of {} ({}) to {} refused: {}", publisher.clientId(), publisher.username(), topic,
        sys ? "$SYS is published by the broker only" : "the ACL denies it");
    return false;
  }

  /** The ACL's answer, for adapters' reads that are not subscriptions. */
  boolean authorize(ClientInfo client, Authorizer.Action action, String topic) {
    return authorizer.authorize(client, action, topic);
  }

  /** Whether {@code client} may subscribe to {@code filter}. */
  boolean maySubscribe(ClientInfo client, String filter) {
    return authorizer.authorize(client, Authorizer.Action.SUBSCRIBE, filter);
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

  /**
   * Routes {@code m}; with {@code writes} non-null, adds a stage per QoS 1/2 target that the publisher
   * must wait for (durable store, or a target holding publishers back), completed once it has queued.
   * With {@code routing}, QoS 2 copies carry its tag and wait for its gate.
   */
  int route(Message m, String originClientId, List<CompletableFuture<Void>> writes, Routing routing) {
    if (m.retain()) {
      retain(m, writes != null);
    }
    Targets targets = new Targets();
    trie.match(m.topic(), (clientId, sub, group) -> {
      if (group != null) {
        targets.group(sub.filter().value(), clientId, sub);
      } else if (!sub.noLocal() || !clientId.equals(originClientId)) {
        targets.add(clientId, sub);
      }
    });
    if (targets.groups != null) {
      for (var e : targets.groups.entrySet()) {
        var chosen = pickSharedMember(e.getKey(), e.getValue());
        if (chosen != null) {
          targets.add(chosen.getKey(), chosen.getValue());
        }
      }
    }
    if (targets.isEmpty()) {
      counters.droppedNoSubscribers.increment();
      return 0;
    }
    if (targets.more == null) { // one subscriber (fan-in, point to point): no map at all
      // its enqueue runs on this thread if the session is idle: no pool wake-up per message (issue #18)
      return deliver(m, targets.firstId, targets.first, new QueueBudget.Charge(SessionQueue.size(m)), writes, routing,
          true);
    }
    int n = 0; // several: each session's executor does its own queue work, in parallel
    QueueBudget.Charge charge = new QueueBudget.Charge(SessionQueue.size(m)); // the copies share one payload
    for (var e : targets.more.entrySet()) {
      n += deliver(m, e.getKey(), e.getValue(), charge, writes, routing, false);
    }
    return n;
  }

  /** Hands {@code m} to one target session, its copy held under {@code charge}; 1 if it exists, else 0. */
  private int deliver(Message m, String clientId, Target t, QueueBudget.Charge charge,
      List<CompletableFuture<Void>> writes, Routing routing, boolean inline) {
    Session s = sessions.get(clientId);
    if (s == null) {
      return 0;
    }
    Message out = m.withQos(Math.min(m.qos(), t.qos)).withRetain(t.retainAsPublished && m.retain());
    List<Integer> ids = t.subscriptionIds == null ? List.of() : t.subscriptionIds;
    if (writes != null && out.qos() > 0 && (store.durable() || s.holdsPublishers())) {
      CompletableFuture<Void> queued = new CompletableFuture<>();
      if (routing != null && out.qos() == 2) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        routing.written().add(written);
        s.enqueue(out, ids, charge, queued, routing, written, inline);
      } else {
        s.enqueue(out, ids, charge, queued, null, null, inline);
      }
      writes.add(queued);
    } else if (inline) {
      s.enqueueInline(out, ids, charge);
    } else {
      s.enqueue(out, ids, charge);
    }
    return 1;
  }

  /**
   * The sessions one publish goes to, each with its overlapping subscriptions merged: the first in two
   * fields, a map only from the second client on (a HashMap, as before), and the
   * shared-subscription groups only when one matches (most publishes match none).
   */
  private static final class Targets {
    String firstId;
    Target first;
    Map<String, Target> more;
    Map<String, List<Map.Entry<String, Subscription>>> groups;

    void add(String clientId, Subscription sub) {
      if (more != null) {
        more.computeIfAbsent(clientId, k -> new Target()).add(sub);
      } else if (first == null) {
        firstId = clientId;
        first = new Target();
        first.add(sub);
      } else if (firstId.equals(clientId)) {
        first.add(sub);
      } else {
        more = new HashMap<>();
        more.put(firstId, first);
        more.computeIfAbsent(clientId, k -> new Target()).add(sub);
      }
    }

    void group(String key, String clientId, Subscription sub) {
      if (groups == null) {
        groups = new HashMap<>();
      }
      groups.computeIfAbsent(key, g -> new ArrayList<>()).add(Map.entry(clientId, sub));
    }

    boolean isEmpty() {
      return first == null;
    }
  }

  /**
   * Whether routing {@code m} would write new data to the store: a retained message, or a QoS 1/2 copy for
   * a persistent session (a shared group counts if any member is persistent). A retained delete is not:
   * deletes are never refused, so its copies are queued even over the cap. Only asked while the store
   * refuses new work, so the second match costs nothing in normal operation.
   */
  private boolean wouldStore(Message m, String originClientId) {
    if (m.qos() == 0 || !store.durable()) {
      return false;
    }
    if (m.retain()) {
      return !m.payload().isEmpty(); // deleting a retained message frees space: never refused
    }
    boolean[] stored = new boolean[1];
    trie.match(m.topic(), (clientId, sub, group) -> {
      if (!stored[0] && sub.qos() > 0 && (group != null || !sub.noLocal() || !clientId.equals(originClientId))) {
        Session s = sessions.get(clientId);
        stored[0] = s != null && s.persistentSnapshot();
      }
    });
    return stored[0];
  }

  /** A member of the shared group of raw filter {@code raw} left it: its cursor goes with the group's last member. */
  void sharedMemberLeft(String raw, String filter, String group) {
    if (!trie.hasGroup(filter, group)) {
      sharedCursors.remove(raw);
    }
  }

  /** Shared groups with a round-robin position (a snapshot, for tests). */
  int sharedCursors() {
    return sharedCursors.size();
  }

  /** Round robin over the group, preferring connected members (EMQX's round_robin strategy). */
  private Map.Entry<String, Subscription> pickSharedMember(String key, List<Map.Entry<String, Subscription>> members) {
    int size = members.size();
    AtomicInteger cursor = sharedCursors.get(key);
    if (cursor == null) {
      cursor = sharedCursors.computeIfAbsent(key, k -> new AtomicInteger());
      Topics.Parsed p = Topics.parse(key);
      if (p != null && p.group() != null && !trie.hasGroup(p.filter(), p.group())) {
        sharedCursors.remove(key, cursor); // its last member left while this publish matched it: no position to keep
      }
    }
    int start = Math.floorMod(cursor.getAndIncrement(), size);
    for (int i = 0; i < size; i++) {
      var candidate = members.get((start + i) % size);
      Session s = sessions.get(candidate.getKey());
      if (s != null && s.connected()) {
        return candidate;
      }
    }
    return members.get(start);
  }

  // ---- retained -------------------------------------------------------------------------------

  /**
   * Keeps {@code m} (a retained publish) in the retained index and the store, or deletes the topic's
   * message for an empty payload. Over {@code retainer.max_payload_size}, or a new topic over {@code
   * retainer.max_retained_messages}, it is not retained (the topic keeps what it had) but still routed,
   * as EMQX does.
   */
  /** @param admitted the publish's writes were admitted to the store already (else the retained copy asks alone) */
  private void retain(Message m, boolean admitted) {
    if (m.payload().isEmpty()) {
      if (retained.remove(m.topic()) != null) {
        store.deleteRetained(m.topic());
      }
    } else if (caps.retainAccepted(m, retained) && (admitted || store.admit(StoreAdmission.Work.RETAINED))) {
      retained.put(m);
      store.saveRetained(m);
    }
  }

  /** Restores the store's retained messages, all of them (a lowered cap refuses only new topics). */
  void recoverRetained() {
    store.forEachRetained(retained::put);
  }

  int retainedCount() {
    return retained.size();
  }

  /** The retained message on {@code topic}, or null; an expired one is removed on the way. */
  Message retained(String topic) {
    Message m = retained.get(topic);
    if (m != null && m.isExpired(clock.millis())) {
      if (retained.remove(topic, m) != null) {
        store.deleteRetained(topic);
      }
      return null;
    }
    return m;
  }

  /** Removes the retained message on {@code topic} without publishing anything; false if there was none. */
  boolean deleteRetained(String topic) {
    if (retained.remove(topic) == null) {
      return false;
    }
    store.deleteRetained(topic);
    return true;
  }

  /**
   * Retained messages matching {@code filter} (no {@code $share} prefix), expired ones removed on the way:
   * a walk of the retained index's matching branches only.
   */
  List<Message> retainedMatching(String filter) {
    long now = clock.millis();
    List<Message> out = new ArrayList<>();
    List<Message> expired = new ArrayList<>(0);
    retained.match(filter, m -> (m.isExpired(now) ? expired : out).add(m));
    for (Message m : expired) {
      if (retained.remove(m.topic(), m) != null) {
        store.deleteRetained(m.topic());
      }
    }
    return out;
  }

  /** Every retained message, {@code $}-topics included. */
  List<Message> allRetained() {
    List<Message> out = new ArrayList<>();
    retained.forEach(out::add);
    return out;
  }

  /** Checks a subscribe's filter (without its {@code $share} prefix) against the topic limits; counted. */
  boolean filterAccepted(ClientInfo client, String filter) {
    return caps.topicFilterAccepted(client, filter);
  }

  /**
   * Puts {@code s} (parsed {@code p}) of {@code clientId} in the subscription index, replacing its earlier one; false
   * (counted, logged) when the new nodes it needs would take the index over {@code mqtt.max_topic_tree_nodes}.
   */
  boolean index(ClientInfo client, String clientId, Topics.Parsed p, Subscription s) {
    if (trie.add(p.filter(), clientId, p.group(), s, limits.maxTopicTreeNodes())) {
      return true;
    }
    caps.topicTreeFull(client, p.filter(), trie.nodes());
    return false;
  }
}
