package io.estuary.core.session;

import io.estuary.api.BrokerSession;
import io.estuary.api.CloseReason;
import io.estuary.api.DeliveryId;
import io.estuary.api.Message;
import io.estuary.api.PublishOutcome;
import io.estuary.api.SubscribeOutcome;
import io.estuary.api.Subscription;
import io.estuary.api.TopicFilter;
import io.estuary.core.store.StoreAdmission;
import io.estuary.core.store.StoreUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The adapter's view of its session for one connection, and the inbound phase (publish, exactly-once
 * keys). Publishing runs on the caller's thread; everything that touches session state hops to the
 * session's executor; every stage completes in a task on the sink's executor (the thread rule of
 * {@link BrokerSession}). With a durable store a QoS 1/2 publish stage completes only once the message
 * is durable in every target's queue (and, for {@link #publishOnce}, its key in the store); a target
 * session with overflow = BACKPRESSURE and a full queue delays it until its queue has room. Either way
 * the publish stages complete in publish order.
 */
final class SessionHandle implements BrokerSession {
  private final Session session;
  private final Broker broker;
  private final Connection conn;
  private final boolean present;
  /** Completes once the previous publish reply was handed to the sink's executor. */
  private volatile CompletableFuture<Void> previousReply = CompletableFuture.completedFuture(null);

  SessionHandle(Session session, Connection conn, boolean present) {
    this.session = session;
    this.broker = session.broker;
    this.conn = conn;
    this.present = present;
  }

  @Override
  public String clientId() {
    return session.clientId;
  }

  @Override
  public boolean sessionPresent() {
    return present;
  }

  // ---- inbound --------------------------------------------------------------------------------

  @Override
  public void publishUnanswered(Message message) {
    if (message.qos() != 0) {
      publish(message);
    } else if (!conn.closed) {
      broker.router.publish(conn.client, message, null, null);
    }
  }

  @Override
  public CompletionStage<PublishOutcome> publish(Message message) {
    if (conn.closed) {
      return reply(PublishOutcome.of(PublishOutcome.Status.SESSION_CLOSED), null);
    }
    if (message.qos() == 0) {
      return reply(broker.router.publish(conn.client, message, null, null), null);
    }
    boolean durable = broker.router.waitsForStore(message);
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    PublishOutcome o = broker.router.publish(conn.client, message, writes, null);
    return reply(o, waitFor(writes, durable, message.retain()));
  }

  @Override
  public CompletionStage<PublishOutcome> publishOnce(int key, Message message) {
    if (conn.closed) {
      return reply(PublishOutcome.of(PublishOutcome.Status.SESSION_CLOSED), null);
    }
    int max = broker.limits.maxAwaitingRel();
    if (session.heldKeys.contains(key)) {
      return reply(PublishOutcome.of(PublishOutcome.Status.DUPLICATE), null);
    }
    if (max > 0 && session.heldKeys.size() >= max) {
      return reply(PublishOutcome.of(PublishOutcome.Status.QUOTA_EXCEEDED), null);
    }
    boolean durable = broker.router.waitsForStore(message);
    if (durable && session.persistentSnapshot()) {
      return publishOnceDurably(key, message);
    }
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    PublishOutcome o = broker.router.publish(conn.client, message, writes, null);
    if (o.accepted()) {
      session.heldKeys.add(key);
      CompletableFuture<Void> marked = new CompletableFuture<>();
      session.actor.execute(() -> {
        try {
          if (session.persistent()) {
            broker.store.addAwaitingRelease(session.clientId, key);
          }
        } finally {
          marked.complete(null);
        }
      });
      if (durable) {
        writes.add(marked);
      }
    }
    return reply(o, waitFor(writes, durable, message.retain()), key);
  }

  /** What the publish reply waits for: durability with a durable store, else held-back targets; null = nothing. */
  private CompletableFuture<Void> waitFor(List<CompletableFuture<Void>> writes, boolean durable, boolean retain) {
    if (durable) {
      return broker.router.durableAfter(writes, retain);
    }
    return writes.isEmpty() ? null : Router.allOf(writes);
  }

  /**
   * Exactly-once from a persistent session with a durable store: the routing marker goes to the store
   * before the copies are queued and its commit after the last of them is written, so a crash in between
   * is rolled back on recovery instead of leaving copies without the key (which a re-sent publish would
   * route again). The copies are delivered only once the commit is durable (docs/persistence.md). The
   * commit does not wait for targets that hold publishers back (BACKPRESSURE): their copies are written
   * at once, only their admission is late, and the reply waits for that too.
   */
  private CompletionStage<PublishOutcome> publishOnceDurably(int key, Message message) {
    if (!broker.store.admit(StoreAdmission.Work.PUBLISH)) { // its marker is new persistent work (issue #13)
      return reply(PublishOutcome.of(PublishOutcome.Status.QUOTA_EXCEEDED), null);
    }
    long tag = broker.router.nextRoutingTag();
    broker.store.markRouting(session.clientId, key, tag);
    Router.Routing routing = new Router.Routing(tag, new CompletableFuture<>(), new ArrayList<>());
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    PublishOutcome o = broker.router.publish(conn.client, message, writes, routing);
    CompletableFuture<Void> stored;
    if (o.accepted()) {
      session.heldKeys.add(key);
      stored = Router.allOf(routing.written()).thenCompose(v -> {
        broker.store.addAwaitingRelease(session.clientId, key); // the commit, after every copy
        return broker.store.sync().toCompletableFuture();
      });
    } else {
      broker.store.removeAwaitingRelease(session.clientId, key); // nothing was queued: no reply needs to wait
      stored = CompletableFuture.completedFuture(null);
    }
    stored.whenComplete((v, err) -> routing.gate().complete(null));
    return reply(o, writes.isEmpty() ? stored : stored.thenCombine(Router.allOf(writes), (a, b) -> null), key);
  }

  /**
   * The publish reply, completed on the sink's executor. It waits for {@code stored} and for every
   * earlier reply of this connection, so PUBACK/PUBREC keep the order of the PUBLISHes (MQTT 3.1.1
   * §4.6); with nothing to wait for it is handed to the executor at once.
   */
  private CompletionStage<PublishOutcome> reply(PublishOutcome o, CompletableFuture<Void> stored) {
    return reply(o, stored, -1);
  }

  /**
   * As above; when {@code stored} fails because the store could not write (a full or failing disk, issue
   * #13) the reply is QUOTA_EXCEEDED (MQTT 5 0x97) instead of an error, counted in
   * {@code store.refused{reason=write_error, work=publish}}, and the QoS 2 {@code key} (-1: none) is released
   * so that a re-send is routed again: at least once while the disk fails.
   */
  private CompletionStage<PublishOutcome> reply(PublishOutcome o, CompletableFuture<Void> stored, int key) {
    CompletableFuture<PublishOutcome> out = new CompletableFuture<>();
    if ((stored == null || stored.isDone() && !stored.isCompletedExceptionally()) && previousReply.isDone()) {
      conn.onSink(() -> out.complete(o));
      return out;
    }
    CompletableFuture<Void> ready = stored == null ? CompletableFuture.completedFuture(null) : stored;
    CompletableFuture<Void> handedOver = new CompletableFuture<>();
    previousReply.thenCombine(ready, (a, b) -> b).whenComplete((v, err) -> {
      try {
        conn.onSink(() -> {
          Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
          if (err == null) {
            out.complete(o);
          } else if (cause instanceof StoreUnavailableException) {
            broker.store.writeFailed(StoreAdmission.Work.PUBLISH);
            if (key >= 0) {
              session.heldKeys.remove(key);
            }
            out.complete(PublishOutcome.of(PublishOutcome.Status.QUOTA_EXCEEDED));
          } else {
            out.completeExceptionally(cause);
          }
        });
      } finally {
        handedOver.complete(null); // the next reply is handed to the executor after this one
      }
    });
    previousReply = handedOver;
    return out;
  }

  @Override
  public boolean releaseKey(int key) {
    boolean was = session.heldKeys.remove(key);
    if (was && broker.store.durable() && session.persistentSnapshot()) {
      // from this thread, like the routing marker of the key's next publish, so the store sees them in order
      broker.store.removeAwaitingRelease(session.clientId, key);
    } else if (was) {
      session.actor.execute(() -> {
        if (session.persistent()) {
          broker.store.removeAwaitingRelease(session.clientId, key);
        }
      });
    }
    return was;
  }

  // ---- subscriptions --------------------------------------------------------------------------

  @Override
  public CompletionStage<List<SubscribeOutcome>> subscribe(List<Subscription> subscriptions) {
    CompletableFuture<List<SubscribeOutcome>> f = new CompletableFuture<>();
    session.actor.execute(() -> {
      if (conn.closed) {
        conn.onSink(() -> f.completeExceptionally(closed()));
        return;
      }
      List<Runnable> after = new ArrayList<>();
      List<SubscribeOutcome> out = session.subscribe(conn, subscriptions, after);
      conn.onSink(() -> f.complete(out));
      after.forEach(Runnable::run); // retained messages go out after the SUBACK
    });
    return f;
  }

  @Override
  public CompletionStage<List<Boolean>> unsubscribe(List<TopicFilter> filters) {
    CompletableFuture<List<Boolean>> f = new CompletableFuture<>();
    session.actor.execute(() -> {
      if (conn.closed) {
        conn.onSink(() -> f.completeExceptionally(closed())); // a stale handle must not touch the next connection's state
        return;
      }
      List<Boolean> had = session.unsubscribe(filters);
      conn.onSink(() -> f.complete(had));
    });
    return f;
  }

  // ---- outbound progress ----------------------------------------------------------------------
  // Run on the caller's thread (the sink's executor) when the session is idle: an acknowledgement then frees
  // the inflight window and hands the next deliveries to the sink without waking a session-pool thread, and
  // the hand-over to the caller's own executor wakes nothing either (issue #18, the QoS 1 fixed-rate tail).

  @Override
  public void received(DeliveryId id) {
    session.actor.executeInline(() -> {
      if (current()) {
        session.outbox().received((int) id.value());
      }
    });
  }

  @Override
  public void acknowledge(DeliveryId id) {
    session.actor.executeInline(() -> {
      if (current()) {
        session.outbox().acknowledge(List.of(id));
      }
    });
  }

  @Override
  public void acknowledge(List<DeliveryId> ids) {
    if (!ids.isEmpty()) {
      List<DeliveryId> copy = List.copyOf(ids);
      session.actor.executeInline(() -> {
        if (current()) {
          session.outbox().acknowledge(copy);
        }
      });
    }
  }

  @Override
  public void sleep() {
    session.actor.execute(() -> {
      if (current()) {
        session.outbox().sleep();
      }
    });
  }

  @Override
  public CompletionStage<Void> wake() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    session.actor.execute(() -> {
      if (current()) {
        session.outbox().wake(f);
      } else {
        conn.onSink(() -> f.completeExceptionally(closed()));
      }
    });
    return f;
  }

  @Override
  public void creditsAvailable() {
    session.actor.executeInline(() -> {
      if (current()) {
        session.outbox().drainNow();
      }
    });
  }

  @Override
  public void updateWill(Message will) {
    session.actor.execute(() -> session.updateWill(conn, will));
  }

  @Override
  public int queued() {
    return session.queuedSnapshot();
  }

  @Override
  public long queuedBytes() {
    return session.queuedBytesSnapshot();
  }

  @Override
  public void close(CloseReason reason) {
    session.actor.execute(() -> session.closeFromClient(conn, reason));
  }

  @Override
  public void discard() {
    session.actor.execute(() -> session.discardFromClient(conn));
  }

  private static IllegalStateException closed() {
    return new IllegalStateException("session closed");
  }

  /** On the actor: whether this handle's connection is still the session's. */
  private boolean current() {
    return session.connection() == conn;
  }
}
