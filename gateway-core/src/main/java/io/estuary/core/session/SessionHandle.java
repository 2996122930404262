package io.estuary.core.session;

import io.estuary.api.BrokerSession;
import io.estuary.api.CloseReason;
import io.estuary.api.DeliveryId;
import io.estuary.api.Message;
import io.estuary.api.PublishOutcome;
import io.estuary.api.SubscribeOutcome;
import io.estuary.api.Subscription;
import io.estuary.api.TopicFilter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The adapter's view of its session for one connection. Publishing runs on the caller's thread;
 * everything that touches session state hops to the session's executor; stages complete on the
 * sink's executor. With a durable store a QoS 1/2 publish stage completes only once the message is
 * durable in every target's queue (and, for QoS 2, its packet id in the awaiting-release set); a
 * target session with overflow = BACKPRESSURE and a full queue delays it until its queue has room.
 * Either way the stages complete in publish order.
 */
final class SessionHandle implements BrokerSession {
  private final Session session;
  private final Session.Connection conn;
  private final boolean present;
  /** Completes once the previous durable publish reply was handed to the sink's executor. */
  private volatile CompletableFuture<Void> previousReply = CompletableFuture.completedFuture(null);

  SessionHandle(Session session, Session.Connection conn, boolean present) {
    this.session = session;
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

  @Override
  public CompletionStage<PublishOutcome> publish(Message message) {
    boolean durable = session.broker.waitsForStore(message);
    if (conn.closed) {
      return reply(PublishOutcome.of(PublishOutcome.Status.SESSION_CLOSED), null);
    }
    if (message.qos() == 0) {
      return CompletableFuture.completedFuture(session.broker.publishFrom(conn.client, message));
    }
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    PublishOutcome o = session.broker.publishFrom(conn.client, message, writes);
    return reply(o, waitFor(writes, durable, message.retain()));
  }

  @Override
  public CompletionStage<PublishOutcome> publishExactlyOnce(int packetId, Message message) {
    boolean durable = session.broker.waitsForStore(message);
    if (conn.closed) {
      return reply(PublishOutcome.of(PublishOutcome.Status.SESSION_CLOSED), null);
    }
    int max = session.broker.limits.maxAwaitingRel();
    if (session.awaitingRel.contains(packetId)) {
      return reply(PublishOutcome.of(PublishOutcome.Status.DUPLICATE), null);
    }
    if (max > 0 && session.awaitingRel.size() >= max) {
      return reply(PublishOutcome.of(PublishOutcome.Status.QUOTA_EXCEEDED), null);
    }
    if (durable && session.persistentSnapshot()) {
      return publishExactlyOnceDurably(packetId, message);
    }
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    PublishOutcome o = session.broker.publishFrom(conn.client, message, writes);
    if (o.accepted()) {
      session.awaitingRel.add(packetId);
      CompletableFuture<Void> marked = new CompletableFuture<>();
      session.actor.execute(() -> {
        try {
          session.addAwaitingRelease(packetId);
        } finally {
          marked.complete(null);
        }
      });
      if (durable) {
        writes.add(marked);
      }
    }
    return reply(o, waitFor(writes, durable, message.retain()));
  }

  /** What the publish reply waits for: durability with a durable store, else held-back targets; null = nothing. */
  private CompletableFuture<Void> waitFor(List<CompletableFuture<Void>> writes, boolean durable, boolean retain) {
    if (durable) {
      return session.broker.durableAfter(writes, retain);
    }
    return writes.isEmpty() ? null : Broker.allOf(writes);
  }

  /**
   * QoS 2 from a persistent session with a durable store: the routing marker goes to the store before
   * the copies are queued and its commit after the last of them is written, so a crash in between is
   * rolled back on recovery instead of leaving copies without the packet id (which a re-sent PUBLISH
   * would route again). The copies are delivered only once the commit is durable (docs/persistence.md).
   * The commit does not wait for targets that hold publishers back (BACKPRESSURE): their copies are
   * written at once, only their admission is late, and the reply waits for that too.
   */
  private CompletionStage<PublishOutcome> publishExactlyOnceDurably(int packetId, Message message) {
    Broker broker = session.broker;
    long tag = broker.nextRoutingTag();
    broker.store.markRouting(session.clientId, packetId, tag);
    Broker.Routing routing = new Broker.Routing(tag, new CompletableFuture<>(), new ArrayList<>());
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    PublishOutcome o = broker.publishFrom(conn.client, message, writes, routing);
    CompletableFuture<Void> stored;
    if (o.accepted()) {
      session.awaitingRel.add(packetId);
      stored = Broker.allOf(routing.written()).thenCompose(v -> {
        broker.store.addAwaitingRelease(session.clientId, packetId); // the commit, after every copy
        return broker.store.sync().toCompletableFuture();
      });
    } else {
      broker.store.removeAwaitingRelease(session.clientId, packetId); // nothing was queued: no reply needs to wait
      stored = CompletableFuture.completedFuture(null);
    }
    stored.whenComplete((v, err) -> routing.gate().complete(null));
    return reply(o, writes.isEmpty() ? stored : stored.thenCombine(Broker.allOf(writes), (a, b) -> null));
  }

  /**
   * The publish reply. With nothing to wait for and no earlier reply pending it is ready now; else it
   * waits for {@code stored} and for every earlier reply of this connection, so PUBACK/PUBREC keep the
   * order of the PUBLISHes (MQTT 3.1.1 §4.6), and completes on the sink's executor.
   */
  private CompletionStage<PublishOutcome> reply(PublishOutcome o, CompletableFuture<Void> stored) {
    if ((stored == null || stored.isDone() && !stored.isCompletedExceptionally()) && previousReply.isDone()) {
      return CompletableFuture.completedFuture(o);
    }
    CompletableFuture<Void> ready = stored == null ? CompletableFuture.completedFuture(null) : stored;
    CompletableFuture<PublishOutcome> out = new CompletableFuture<>();
    CompletableFuture<Void> handedOver = new CompletableFuture<>();
    Executor executor = conn.sink.executor();
    previousReply.thenCombine(ready, (a, b) -> b).whenComplete((v, err) -> {
      try {
        executor.execute(() -> {
          if (err == null) {
            out.complete(o);
          } else {
            out.completeExceptionally(err instanceof CompletionException && err.getCause() != null ? err.getCause() : err);
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
  public boolean release(int packetId) {
    boolean was = session.awaitingRel.remove(packetId);
    if (was && session.broker.store.durable() && session.persistentSnapshot()) {
      // from this thread, like the routing marker of the id's next PUBLISH, so the store sees them in order
      session.broker.store.removeAwaitingRelease(session.clientId, packetId);
    } else if (was) {
      session.actor.execute(() -> session.removeAwaitingRelease(packetId));
    }
    return was;
  }

  @Override
  public CompletionStage<List<SubscribeOutcome>> subscribe(List<Subscription> subscriptions) {
    CompletableFuture<List<SubscribeOutcome>> f = new CompletableFuture<>();
    session.actor.execute(() -> {
      if (conn.closed) {
        conn.sink.executor().execute(() -> f.completeExceptionally(new IllegalStateException("session closed")));
        return;
      }
      List<Runnable> after = new ArrayList<>();
      List<SubscribeOutcome> out = session.subscribe(conn, subscriptions, after);
      conn.sink.executor().execute(() -> f.complete(out));
      after.forEach(Runnable::run); // retained messages go out after the SUBACK
    });
    return f;
  }

  @Override
  public CompletionStage<Void> unsubscribe(List<TopicFilter> filters) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    session.actor.execute(() -> {
      session.unsubscribe(filters);
      conn.sink.executor().execute(() -> f.complete(null));
    });
    return f;
  }

  @Override
  public void received(DeliveryId id) {
    session.actor.execute(() -> session.received(conn, (int) id.value()));
  }

  @Override
  public void acknowledge(DeliveryId id) {
    session.actor.execute(() -> session.acknowledge(conn, (int) id.value()));
  }

  @Override
  public void acknowledge(List<DeliveryId> ids) {
    if (!ids.isEmpty()) {
      List<DeliveryId> copy = List.copyOf(ids);
      session.actor.execute(() -> session.acknowledgeAll(conn, copy));
    }
  }

  @Override
  public void sleep(Duration duration) {
    session.actor.execute(() -> session.sleep(conn));
  }

  @Override
  public CompletionStage<Void> wake() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    session.actor.execute(() -> session.wake(conn, f));
    return f;
  }

  @Override
  public void creditsAvailable() {
    session.actor.execute(() -> session.creditsAvailable(conn));
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
}
