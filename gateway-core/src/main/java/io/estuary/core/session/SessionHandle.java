package io.estuary.core.session;

import io.estuary.core.api.BrokerSession;
import io.estuary.core.api.CloseReason;
import io.estuary.core.api.DeliveryId;
import io.estuary.core.api.Message;
import io.estuary.core.api.PublishOutcome;
import io.estuary.core.api.SubscribeOutcome;
import io.estuary.core.api.Subscription;
import io.estuary.core.api.TopicFilter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The adapter's view of its session for one connection. Publishing runs on the caller's thread;
 * everything that touches session state hops to the session's executor; stages complete on the
 * sink's executor.
 */
final class SessionHandle implements BrokerSession {
  private final Session session;
  private final Session.Connection conn;
  private final boolean present;

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
    if (conn.closed) {
      return CompletableFuture.completedFuture(PublishOutcome.of(PublishOutcome.Status.SESSION_CLOSED));
    }
    return CompletableFuture.completedFuture(session.broker.publishFrom(conn.client, message));
  }

  @Override
  public CompletionStage<PublishOutcome> publishExactlyOnce(int packetId, Message message) {
    if (conn.closed) {
      return CompletableFuture.completedFuture(PublishOutcome.of(PublishOutcome.Status.SESSION_CLOSED));
    }
    int max = session.broker.limits.maxAwaitingRel();
    if (session.awaitingRel.contains(packetId)) {
      return CompletableFuture.completedFuture(PublishOutcome.of(PublishOutcome.Status.DUPLICATE));
    }
    if (max > 0 && session.awaitingRel.size() >= max) {
      return CompletableFuture.completedFuture(PublishOutcome.of(PublishOutcome.Status.QUOTA_EXCEEDED));
    }
    PublishOutcome o = session.broker.publishFrom(conn.client, message);
    if (o.accepted()) {
      session.awaitingRel.add(packetId);
      session.actor.execute(() -> session.addAwaitingRelease(packetId));
    }
    return CompletableFuture.completedFuture(o);
  }

  @Override
  public boolean release(int packetId) {
    boolean was = session.awaitingRel.remove(packetId);
    if (was) {
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
  public void close(CloseReason reason) {
    session.actor.execute(() -> session.closeFromClient(conn, reason));
  }
}
