package io.estuary.stomp.channel;

import io.estuary.api.BrokerSession;
import io.estuary.api.Delivery;
import io.estuary.api.Message;
import io.estuary.api.UserProperty;
import io.estuary.stomp.StompConfig;
import io.estuary.stomp.channel.StompSubscription.Entry;
import io.estuary.stomp.channel.StompSubscription.Held;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The subscriptions of one connection and their acknowledgement: deliveries fan out to the STOMP
 * subscriptions whose core subscription ids they carry; {@code client} acks are cumulative, {@code
 * client-individual} single; at most {@code max_unacked} MESSAGEs per subscription are out; a NACKed
 * message is sent again (header {@code redelivered:true}) before newer waiting ones, until {@code
 * max_redeliveries}, then dropped or published to the dead-letter topic. The core delivery is
 * acknowledged (QoS 1) once every subscription it went to has acknowledged it.
 *
 * <p>Thread contract: owned by the channel's thread.
 */
final class Subscriptions {
  /** Core subscription ids of non-durable subscriptions count up from 1; durable ones live above. */
  static final int DURABLE_BASE = 0x4000000;

  private final StompChannel ch;
  private final StompConfig config;
  private final StompMetrics metrics;
  private final Map<String, StompSubscription> byId = new HashMap<>();
  /** STOMP subscriptions per core subscription id (two subscriptions of one filter share the core's). */
  private final Map<Integer, List<StompSubscription>> byCoreId = new HashMap<>();
  private final Map<String, Integer> coreIdByFilter = new HashMap<>();
  /** The QoS each core subscription was made with (the highest its STOMP subscriptions need). */
  private final Map<String, Integer> coreQosByFilter = new HashMap<>();
  private final Map<String, Entry> byAckId = new HashMap<>();
  /** Deliveries of a resumed session for durable subscriptions the client has not subscribed again yet. */
  private final List<Delivery> orphans = new ArrayList<>();
  private int nextCoreId = 1;
  private long nextSeq;
  private long nextAckId;

  Subscriptions(StompChannel ch, StompConfig config, StompMetrics metrics) {
    this.ch = ch;
    this.config = config;
    this.metrics = metrics;
  }

  int size() {
    return byId.size();
  }

  StompSubscription get(String id) {
    return byId.get(id);
  }

  /** The core id a new subscription of {@code filter} rides on; stable across connections when durable. */
  int coreIdFor(String filter, String durableName) {
    Integer shared = coreIdByFilter.get(filter);
    if (shared != null) {
      return shared;
    }
    if (durableName != null) {
      return DURABLE_BASE | (durableName.hashCode() & (DURABLE_BASE - 1));
    }
    return nextCoreId < DURABLE_BASE ? nextCoreId++ : (nextCoreId = 1);
  }

  /**
   * Whether the core subscription of {@code filter} must be made (or made again) for a new STOMP
   * subscription needing {@code qos}: not when one of at least that QoS exists (never downgraded).
   */
  boolean needsCoreSubscribe(String filter, int qos) {
    Integer had = coreQosByFilter.get(filter);
    if (had != null && had >= qos) {
      return false;
    }
    coreQosByFilter.put(filter, qos);
    return true;
  }

  void add(StompSubscription s) {
    byId.put(s.id, s);
    byCoreId.computeIfAbsent(s.coreId, k -> new ArrayList<>(1)).add(s);
    coreIdByFilter.put(s.filter, s.coreId);
    for (Iterator<Delivery> it = orphans.iterator(); it.hasNext(); ) {
      Delivery d = it.next();
      if (d.subscriptionIds().contains(s.coreId)) {
        it.remove();
        deliver(d);
      }
    }
  }

  /** Removes a subscription, releasing what it holds; true if its core subscription has no one left. */
  boolean remove(StompSubscription s, BrokerSession session) {
    byId.remove(s.id);
    for (Entry e : s.unacked.values()) {
      byAckId.remove(e.ackId);
      release(e.held, session);
    }
    for (Entry e : s.pending.values()) {
      release(e.held, session);
    }
    s.unacked.clear();
    s.pending.clear();
    List<StompSubscription> same = byCoreId.get(s.coreId);
    same.remove(s);
    if (same.isEmpty()) {
      byCoreId.remove(s.coreId);
      coreIdByFilter.remove(s.filter);
      coreQosByFilter.remove(s.filter);
      return true;
    }
    return false;
  }

  List<StompSubscription> all() {
    return List.copyOf(byId.values());
  }

  // ------------------------------------------------------------------ deliveries

  void deliver(Delivery d) {
    Message m = d.message();
    List<StompSubscription> targets = new ArrayList<>(1);
    for (int coreId : d.subscriptionIds()) {
      List<StompSubscription> subs = byCoreId.get(coreId);
      if (subs != null) {
        targets.addAll(subs);
      }
    }
    BrokerSession session = ch.session();
    if (targets.isEmpty()) {
      boolean durable = d.subscriptionIds().stream().anyMatch(id -> id >= DURABLE_BASE);
      if (m.qos() > 0 && durable && orphans.size() < config.maxInflight()) {
        orphans.add(d); // a resumed durable session: waits for the client's SUBSCRIBE
      } else if (m.qos() > 0) {
        session.acknowledge(d.id()); // for a subscription that is gone
      }
      return;
    }
    Held held = new Held(m.qos() > 0 ? d.id() : null, m);
    for (StompSubscription s : targets) {
      if (s.mode == AckMode.AUTO) {
        send(s, m, ch.nextMessageId(), null, d.duplicate());
      } else {
        held.refs++;
        if (held.id == null && s.pending.size() + s.unacked.size() >= 4 * config.maxUnacked()) {
          held.refs--; // QoS 0 is not bounded by the core's window: a client that does not ack loses it
          metrics.droppedOverflow.increment();
          continue;
        }
        long seq = nextSeq++;
        s.pending.put(seq, new Entry(held, s, seq, d.duplicate()));
        pump(s);
      }
    }
    if (held.refs == 0 && held.id != null) {
      session.acknowledge(held.id);
    }
  }

  /** A delivery that arrived before CONNECTED (a resumed session): kept for the client's SUBSCRIBE. */
  void hold(Delivery d) {
    if (d.message().qos() > 0 && orphans.size() < config.maxInflight()) {
      orphans.add(d);
    }
  }

  /** Acknowledges held deliveries that no durable subscription can claim (non-durable ones died with their connection). */
  void releaseStaleHeld() {
    for (Iterator<Delivery> it = orphans.iterator(); it.hasNext(); ) {
      Delivery d = it.next();
      if (d.subscriptionIds().stream().noneMatch(id -> id >= DURABLE_BASE)) {
        it.remove();
        ch.session().acknowledge(d.id());
      }
    }
  }

  /** Sends waiting messages of {@code s} while it has room under max_unacked. */
  private void pump(StompSubscription s) {
    while (s.unacked.size() < config.maxUnacked() && !s.pending.isEmpty()) {
      Entry e = s.pending.pollFirstEntry().getValue();
      e.ackId = ch.nextMessageId();
      s.unacked.put(e.ackId, e);
      byAckId.put(e.ackId, e);
      if (e.redelivered) {
        metrics.redelivered.increment();
      }
      send(s, e.held.message, e.ackId, e.ackId, e.redelivered);
    }
  }

  private void send(StompSubscription s, Message m, String messageId, String ackId, boolean redelivered) {
    boolean v12 = ch.version() == io.estuary.stomp.codec.StompVersion.V1_2;
    ch.send(MessageMapping.toMessage(m, ch.mountpoint().unmount(m.topic()), s.id, messageId,
        v12 && ackId != null ? ackId : null, redelivered));
    metrics.messagesOut.increment();
  }

  // ------------------------------------------------------------------ ACK / NACK

  /** ACK of {@code ackId}; false if no sent message has that id (already acknowledged or never sent). */
  boolean ack(String ackId) {
    List<Entry> done = covered(ackId);
    if (done == null) {
      return false;
    }
    StompSubscription s = done.get(0).sub;
    for (Entry e : done) {
      s.unacked.remove(e.ackId);
      byAckId.remove(e.ackId);
      release(e.held, ch.session());
    }
    pump(s);
    return true;
  }

  /** NACK of {@code ackId}: the message(s) go back to be sent again, or to the dead-letter topic. */
  boolean nack(String ackId) {
    List<Entry> back = covered(ackId);
    if (back == null) {
      return false;
    }
    StompSubscription s = back.get(0).sub;
    for (Entry e : back) {
      s.unacked.remove(e.ackId);
      byAckId.remove(e.ackId);
      e.ackId = null;
      if (++e.nacks > config.maxRedeliveries()) {
        deadLetter(e);
        release(e.held, ch.session());
      } else {
        e.redelivered = true;
        s.pending.put(e.seq, e);
      }
    }
    pump(s);
    return true;
  }

  /** The entries an ACK/NACK of {@code ackId} covers: all sent up to it for ack:client, else just it. */
  private List<Entry> covered(String ackId) {
    Entry target = ackId == null ? null : byAckId.get(ackId);
    if (target == null) {
      metrics.unknownAcks.increment();
      return null;
    }
    if (target.sub.mode != AckMode.CLIENT) {
      return List.of(target);
    }
    List<Entry> out = new ArrayList<>();
    for (Entry e : target.sub.unacked.values()) {
      out.add(e);
      if (e == target) {
        break;
      }
    }
    return out;
  }

  private void deadLetter(Entry e) {
    String topic = config.deadLetterTopic();
    if (topic.isEmpty()) {
      metrics.droppedRedelivery.increment();
      return;
    }
    Message m = e.held.message;
    List<UserProperty> props = new ArrayList<>(m.properties().userProperties());
    props.add(new UserProperty("x-original-destination", ch.mountpoint().unmount(m.topic())));
    props.add(new UserProperty("x-delivery-count", Integer.toString(e.nacks)));
    ch.session().publishUnanswered(new Message(topic, m.payload(), 1, false,
        m.properties().withUserProperties(props), ch.clockMillis()));
    metrics.deadLettered.increment();
  }

  private static void release(Held h, BrokerSession session) {
    if (--h.refs == 0 && h.id != null && session != null) {
      session.acknowledge(h.id);
    }
  }

  /**
   * The connection is ending: messages of non-durable subscriptions are acknowledged (they die with it);
   * those of durable ones stay unacknowledged in the core, which sends them again on the next connection.
   */
  void connectionEnded(BrokerSession session) {
    for (StompSubscription s : byId.values()) {
      if (!s.durable) {
        for (Entry e : s.unacked.values()) {
          release(e.held, session);
        }
        for (Entry e : s.pending.values()) {
          release(e.held, session);
        }
      }
      s.unacked.clear();
      s.pending.clear();
    }
    byAckId.clear();
    orphans.clear();
  }

  /** Unacknowledged and waiting messages of the connection, for the listing. */
  int unackedCount() {
    return byAckId.size();
  }
}
