package io.estuary.core.session;

import io.estuary.api.Delivery;
import io.estuary.api.DeliveryId;
import io.estuary.api.Message;
import io.estuary.api.QueuePolicy;
import io.estuary.core.store.StoredMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound phase of one session: admission to the queue under its {@link QueuePolicy} (caps,
 * overflow, age), the drain into the sink within the inflight window and the sink's credits, the
 * inflight QoS 1/2 deliveries and their acknowledgements, sleep and wake. Persistent sessions write
 * queued and inflight QoS 1/2 messages through to the store. Confined to the session's executor.
 */
final class Outbox {
  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

  private final Session session;
  private final Broker broker;
  private final String clientId;
  private final SessionQueue queue;
  /** Packet id → message sent and not yet acknowledged, in send order. */
  private final LinkedHashMap<Integer, StoredMessage> inflight = new LinkedHashMap<>();
  /** Packet id → the inflight message's charge in the broker's {@link QueueBudget} (given back at its ack). */
  private final java.util.HashMap<Integer, QueueBudget.Charge> inflightCharges = new java.util.HashMap<>();
  private int nextPacketId = 1;
  private long nextSeq = 1;
  private QueuePolicy.Overflow overflow;
  private long maxAgeMillis;
  private boolean asleep;
  private List<CompletableFuture<Void>> drainWaiters;
  private SessionTimers.Timer ageTimer;

  Outbox(Session session, Broker broker) {
    this.session = session;
    this.broker = broker;
    this.clientId = session.clientId;
    this.queue = new SessionQueue(() -> session.actor.execute(this::drain), broker.queueBudget);
    queue.caps(broker.limits.maxQueuedMessages(), broker.limits.maxQueuedBytes());
    overflow = broker.limits.queueOverflow();
  }

  /** Applies a connection's queue policy; 0 caps and overflow BROKER fall back to the broker's. */
  void configure(QueuePolicy p) {
    overflow = p.overflow() == QueuePolicy.Overflow.BROKER ? broker.limits.queueOverflow() : p.overflow();
    queue.caps(p.maxMessages() > 0 ? p.maxMessages() : broker.limits.maxQueuedMessages(),
        p.maxBytes() > 0 ? p.maxBytes() : broker.limits.maxQueuedBytes());
    maxAgeMillis = p.maxAge().toMillis();
  }

  /** Whether publishers wait for room (overflow = BACKPRESSURE). */
  boolean holdsPublishers() {
    return overflow == QueuePolicy.Overflow.BACKPRESSURE;
  }

  /** Puts a restored message back: inflight if it had been sent, else at the end of the queue. */
  void restore(StoredMessage sm) {
    if (sm.packetId() != 0) {
      inflight.put(sm.packetId(), sm);
      holdInflight(sm.packetId(), new QueueBudget.Charge(SessionQueue.size(sm.message()))); // read back: own payload
    } else {
      queue.add(sm, new QueueBudget.Charge(SessionQueue.size(sm.message())), null, null); // read back: own payload
    }
    nextSeq = Math.max(nextSeq, sm.seq() + 1);
  }

  void clear() {
    queue.clear();
    inflight.clear();
    inflightCharges.values().forEach(broker.queueBudget::release);
    inflightCharges.clear();
  }

  /** An inflight message keeps holding its charge of the budget until it is acknowledged or dropped. */
  private void holdInflight(int packetId, QueueBudget.Charge charge) {
    broker.queueBudget.hold(charge);
    QueueBudget.Charge before = inflightCharges.put(packetId, charge);
    if (before != null) {
      broker.queueBudget.release(before);
    }
  }

  private void releaseInflight(int packetId) {
    QueueBudget.Charge c = inflightCharges.remove(packetId);
    if (c != null) {
      broker.queueBudget.release(c);
    }
  }

  void cancelTimer() {
    if (ageTimer != null) {
      ageTimer.cancel();
      ageTimer = null;
    }
  }

  int queued() {
    return queue.size();
  }

  long queuedBytes() {
    return queue.bytes();
  }

  int inflight() {
    return inflight.size();
  }

  boolean asleep() {
    return asleep;
  }

  // ---- admission ------------------------------------------------------------------------------

  /**
   * Returns true when the message was queued beyond the caps and {@code admitted} completes later. {@code charge}:
   * its publish's payload in the broker's {@link QueueBudget}, shared by the copies of one publish.
   */
  boolean enqueue(Message m, List<Integer> subscriptionIds, QueueBudget.Charge charge,
      CompletableFuture<Void> admitted, Router.Routing routing) {
    if (session.discarded() || !session.mayDeliver(m.topic())) {
      return false; // a denied message takes no queue room (checked again when it is handed over)
    }
    if (m.qos() == 0 && session.connection() == null && !broker.limits.queueQos0()) {
      broker.counters.droppedQos0Offline.increment();
      return false;
    }
    boolean stored = m.qos() > 0 && session.persistent();
    if (stored && admitted == null && !broker.store.hasRoom()) {
      // nobody waits for it (a will, a broker message): the store refuses new work, drop the newest. A
      // publisher that waits (admitted != null) was admitted by the router: its copy is stored (issue #13)
      broker.counters.droppedStoreFull.increment();
      LOG.debug("store full, dropped a message on {} for {}", m.topic(), clientId);
      return false;
    }
    purgeOld();
    int size = SessionQueue.size(m);
    boolean heldBack = false;
    QueueBudget budget = broker.queueBudget;
    int weight = charge.weight();
    boolean overTotal = !budget.admits(weight);
    if (queue.hasHeld() || !queue.fits(size) || overTotal) {
      if (overflow == QueuePolicy.Overflow.BACKPRESSURE && m.qos() > 0) {
        if (admitted != null) {
          heldBack = true; // queued beyond the caps: its publisher waits for room
        } else if (overTotal) {
          budget.dropped(clientId); // nobody to hold back (a will, a broker message): not beyond the budget
          return false;
        }
      } else {
        if (overflow != QueuePolicy.Overflow.DROP_OLDEST || overTotal && queue.isEmpty()) {
          dropNew(m, overTotal && queue.fits(size));
          return false;
        }
        while (!queue.isEmpty() && !queue.fits(size)) {
          StoredMessage dropped = queue.poll(); // drop the oldest (EMQX's mqueue behaviour)
          broker.counters.droppedQueueFull.increment();
          forget(dropped);
          LOG.debug("queue of {} full, dropped the oldest message on {}", clientId, dropped.message().topic());
        }
        // every queue together is full: this one's oldest make room for the new one, no more than needed; when
        // even all of them could not, only the new one goes
        if (overTotal && !budget.admits(weight)) {
          if (queue.bound() < budget.excess(weight)) {
            budget.dropped(clientId);
            return false;
          }
          while (!queue.isEmpty() && !budget.admits(weight)) {
            forget(queue.poll());
            budget.dropped(clientId);
          }
          if (!budget.admits(weight)) { // the oldest shared their payloads with other sessions' copies
            budget.dropped(clientId);
            return false;
          }
        }
      }
    }
    StoredMessage sm = new StoredMessage(nextSeq++, m, subscriptionIds, 0, false,
        routing != null && stored ? routing.tag() : 0);
    queue.add(sm, charge, routing == null ? null : routing.gate(), heldBack ? admitted : null);
    if (stored) {
      broker.store.saveMessage(clientId, sm);
    }
    if (session.connection() == null) {
      broker.events.offlineMessage(clientId, m); // on_offline_message
    }
    drain();
    return heldBack;
  }

  /** Counts a new message not queued: its session's queue is full, or ({@code total}) every queue together is. */
  private void dropNew(Message m, boolean total) {
    if (total) {
      broker.queueBudget.dropped(clientId);
    } else {
      broker.counters.droppedQueueFull.increment();
      LOG.debug("queue of {} full, dropped the new message on {}", clientId, m.topic());
    }
  }

  private boolean tooOld(StoredMessage sm, long now) {
    long created = sm.message().createdAtMillis();
    return maxAgeMillis > 0 && created > 0 && now - created >= maxAgeMillis;
  }

  /** Drops queued messages older than the age cap from the head (the queue is in arrival order). */
  private void purgeOld() {
    if (maxAgeMillis <= 0) {
      return;
    }
    long now = broker.clock.millis();
    while (!queue.isEmpty() && tooOld(queue.peek(), now)) {
      StoredMessage old = queue.poll();
      broker.counters.droppedQueueAge.increment();
      forget(old);
      LOG.debug("message on {} older than the queue age cap of {}, dropped", old.message().topic(), clientId);
    }
  }

  /** Wakes the session when the oldest queued message reaches the age cap, so an idle queue expires too. */
  private void scheduleAgePurge() {
    if (maxAgeMillis <= 0 || ageTimer != null || queue.isEmpty() || session.discarded()) {
      return;
    }
    long created = queue.peek().message().createdAtMillis();
    long delay = Math.max(1, created + maxAgeMillis - broker.clock.millis());
    ageTimer = broker.timers.schedule(() -> session.actor.execute(() -> {
      ageTimer = null;
      drain();
    }), delay);
  }

  // ---- delivery -------------------------------------------------------------------------------

  /** Sends the inflight messages again, in order, to a connection that resumed the session. */
  void resend(Connection c) {
    for (var it = inflight.values().iterator(); it.hasNext(); ) {
      StoredMessage sm = it.next();
      if (!sm.released() && !session.mayDeliver(sm.message().topic())) {
        it.remove(); // restored under an ACL that now denies it: not sent again
        releaseInflight(sm.packetId());
        forget(sm);
        continue;
      }
      c.handOne(delivery(sm, true));
    }
  }

  /**
   * Moves messages from the queue to the sink while the inflight window (QoS 1/2) and the sink's room
   * allow, in one hand-over task; then admits held publishers, arms the age timer and answers waiters.
   */
  void drain() {
    purgeOld();
    Connection c = session.connection();
    if (c != null && !asleep) {
      int window = Math.min(c.options.receiveMaximum(), broker.limits.maxInflight());
      int room = queue.isEmpty() ? 0 : c.room();
      List<Delivery> batch = null;
      while (!queue.isEmpty()) {
        StoredMessage head = queue.peek();
        if (head.message().qos() > 0 && inflight.size() >= window) {
          break;
        }
        if (queue.gated(head) || room <= 0 && (room = c.stall()) <= 0) {
          break;
        }
        QueueBudget.Charge charge = queue.chargeOfHead();
        queue.poll();
        long now = broker.clock.millis();
        if (head.message().isExpired(now)) {
          broker.counters.droppedExpired.increment();
          forget(head);
          continue;
        }
        if (tooOld(head, now)) {
          broker.counters.droppedQueueAge.increment();
          forget(head);
          continue;
        }
        if (!session.mayDeliver(head.message().topic())) {
          forget(head); // issue #12: every delivery is checked, queued and restored messages too
          continue;
        }
        if (c.options.maxPacketSize() > 0 && approximateSize(head.message()) > c.options.maxPacketSize()) {
          broker.counters.droppedTooLarge.increment(); // MQTT 5 §3.1.2.11.4: discard as if delivered
          forget(head);
          continue;
        }
        if (batch == null) {
          batch = new ArrayList<>(Math.min(room, 64));
        }
        recordLatency(c, head.message(), now);
        room--;
        c.reserve();
        if (head.message().qos() > 0) {
          StoredMessage sent = head.sent(nextPacketId());
          inflight.put(sent.packetId(), sent);
          holdInflight(sent.packetId(), charge); // sent, not yet acknowledged: still held here
          if (session.persistent()) {
            broker.store.saveMessage(clientId, sent);
          }
          batch.add(delivery(sent, false));
        } else {
          batch.add(delivery(head, false));
        }
      }
      if (batch != null) {
        c.hand(batch); // one executor task for the whole drain
      }
    }
    queue.releaseHeld();
    scheduleAgePurge();
    session.mirror();
    checkWaiters();
  }

  /**
   * Publish → hand-over time of a live message (a retained one sent on subscribe, whose age says nothing about
   * the broker, is left out), in milliseconds of the broker's clock: no allocation besides the first lookup.
   */
  private void recordLatency(Connection c, Message m, long now) {
    if (m.retain() || m.createdAtMillis() <= 0) {
      return;
    }
    if (c.latency == null) {
      c.latency = broker.counters.deliveryLatency(c.client.protocol());
    }
    c.latency.record(Math.max(0, now - m.createdAtMillis()), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  private void forget(StoredMessage sm) {
    if (sm.message().qos() > 0 && session.persistent()) {
      broker.store.deleteMessage(clientId, sm.seq());
    }
  }

  private static int approximateSize(Message m) {
    return 16 + m.topic().length() * 3 + m.payload().size();
  }

  /** The next packet id no inflight delivery uses (1..65535, wrapping): a {@link DeliveryId} is recycled. */
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

  private Delivery delivery(StoredMessage sm, boolean dup) {
    Message m = sm.message();
    Long remaining = m.remainingExpirySeconds(broker.clock.millis());
    if (remaining != null && !remaining.equals(m.properties().messageExpiryInterval())) {
      m = m.withProperties(m.properties().withMessageExpiryInterval(remaining));
    }
    broker.counters.sent.increment();
    return new Delivery(new DeliveryId(sm.packetId()), m, dup, sm.released(), sm.subscriptionIds());
  }

  // ---- progress reported by the adapter (current connection only) -----------------------------

  void acknowledge(List<DeliveryId> ids) {
    for (DeliveryId id : ids) {
      StoredMessage sm = inflight.remove((int) id.value());
      if (sm != null) {
        releaseInflight(sm.packetId());
      }
      if (sm != null && session.persistent()) {
        broker.store.deleteMessage(clientId, sm.seq());
      }
    }
    drainNow();
  }

  /**
   * Drains and hands the deliveries over at once, not behind the tasks waiting on the session's executor:
   * the client waits for them (acknowledgements freed its inflight window, or the sink has room again).
   */
  void drainNow() {
    drain();
    Connection c = session.connection();
    if (c != null) {
      c.handNow();
    }
  }

  void received(int packetId) {
    StoredMessage sm = inflight.get(packetId);
    if (sm != null && !sm.released()) {
      StoredMessage rel = sm.releasedState();
      inflight.put(packetId, rel);
      if (session.persistent()) {
        broker.store.saveMessage(clientId, rel);
      }
    }
  }

  void sleep() {
    asleep = true;
    session.mirror();
  }

  /** Wakes the device; {@code done} completes on the sink's executor once all is sent and acknowledged. */
  void wake(CompletableFuture<Void> done) {
    asleep = false;
    if (drainWaiters == null) {
      drainWaiters = new ArrayList<>(1);
    }
    drainWaiters.add(done);
    drain();
  }

  private void checkWaiters() {
    if (drainWaiters != null && queue.isEmpty() && inflight.isEmpty()) {
      List<CompletableFuture<Void>> w = drainWaiters;
      drainWaiters = null;
      Connection c = session.connection();
      for (CompletableFuture<Void> f : w) {
        if (c != null) {
          c.onSink(() -> f.complete(null));
        } else {
          f.complete(null); // not reached: waiters fail when their connection ends
        }
      }
    }
  }

  /** The connection ended: the device is no longer asleep, and wake stages fail on its sink's executor. */
  void connectionEnded(Connection c) {
    asleep = false;
    if (drainWaiters != null) {
      List<CompletableFuture<Void>> w = drainWaiters;
      drainWaiters = null;
      c.onSink(() -> w.forEach(f -> f.completeExceptionally(new IllegalStateException("session closed"))));
    }
  }
}
