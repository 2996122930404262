package io.estuary.testkit;

import io.estuary.api.BrokerSession;
import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.Delivery;
import io.estuary.api.DeliveryId;
import io.estuary.api.DeliverySink;
import io.estuary.api.Message;
import io.estuary.api.PublishOutcome;
import io.estuary.api.SessionOptions;
import io.estuary.api.SubscribeOutcome;
import io.estuary.api.Subscription;
import io.estuary.api.TopicFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A broker session that records calls; queues deliveries while asleep and flushes them on wake(). */
public final class FakeSession implements BrokerSession {
  public final ClientInfo client;
  public final SessionOptions options;
  public final DeliverySink sink;
  public final List<Message> published = new CopyOnWriteArrayList<>();
  public final List<Subscription> subscribed = new CopyOnWriteArrayList<>();
  public final List<TopicFilter> unsubscribed = new CopyOnWriteArrayList<>();
  public final List<DeliveryId> acknowledged = new CopyOnWriteArrayList<>();
  public final List<DeliveryId> received = new CopyOnWriteArrayList<>();
  public final List<Integer> released = new CopyOnWriteArrayList<>();
  public final List<Object> events = new CopyOnWriteArrayList<>();
  public final List<Message> wills = new CopyOnWriteArrayList<>();
  public volatile CloseReason closed;
  public volatile boolean sleeping;
  /** Whether the adapter discarded the session ({@link #discard()}). */
  public volatile boolean discarded;
  public volatile PublishOutcome outcome = new PublishOutcome(PublishOutcome.Status.OK, 1);
  private final List<Delivery> queued = new ArrayList<>();
  private final java.util.Set<DeliveryId> awaiting = new java.util.HashSet<>();
  private CompletableFuture<Void> drained;
  private final AtomicLong ids = new AtomicLong();

  private final boolean present;

  public FakeSession(ClientInfo client, SessionOptions options, DeliverySink sink, boolean present) {
    this.present = present;
    this.client = client;
    this.options = options;
    this.sink = sink;
  }

  /** Delivers now, or queues while asleep (as the core does). Call on the sink's executor. */
  public Delivery deliver(Message m) {
    Delivery d = new Delivery(new DeliveryId(ids.incrementAndGet()), m, false, false, List.of());
    if (sleeping) {
      queued.add(d);
    } else {
      sink.deliver(d);
    }
    return d;
  }

  @Override
  public String clientId() {
    return client.clientId();
  }

  @Override
  public boolean sessionPresent() {
    return present;
  }

  @Override
  public CompletionStage<PublishOutcome> publish(Message message) {
    published.add(message);
    return CompletableFuture.completedFuture(outcome);
  }

  @Override
  public CompletionStage<PublishOutcome> publishOnce(int key, Message message) {
    published.add(message);
    return CompletableFuture.completedFuture(outcome);
  }

  @Override
  public boolean releaseKey(int key) {
    released.add(key);
    return true;
  }

  @Override
  public CompletionStage<List<SubscribeOutcome>> subscribe(List<Subscription> subscriptions) {
    subscribed.addAll(subscriptions);
    List<SubscribeOutcome> out = new ArrayList<>();
    subscriptions.forEach(s -> out.add(SubscribeOutcome.granted(s.qos())));
    return CompletableFuture.completedFuture(out);
  }

  @Override
  public CompletionStage<List<Boolean>> unsubscribe(List<TopicFilter> filters) {
    unsubscribed.addAll(filters);
    List<Boolean> had = new ArrayList<>();
    filters.forEach(f -> had.add(subscribed.stream().anyMatch(s -> s.filter().equals(f)))); // recorded, not removed
    return CompletableFuture.completedFuture(had);
  }

  @Override
  public void received(DeliveryId id) {
    received.add(id);
  }

  @Override
  public void acknowledge(DeliveryId id) {
    acknowledged.add(id);
    awaiting.remove(id);
    checkDrained();
  }

  @Override
  public void sleep() {
    events.add("sleep");
    sleeping = true;
  }

  @Override
  public int queued() {
    return queued.size();
  }

  @Override
  public long queuedBytes() {
    return queued.stream().mapToLong(d -> d.message().payload().size() + d.message().topic().length()).sum();
  }

  /** Completes, as the core does, once every flushed QoS 1/2 delivery is acknowledged. */
  @Override
  public CompletionStage<Void> wake() {
    events.add("wake");
    sleeping = false;
    List<Delivery> flush = new ArrayList<>(queued);
    queued.clear();
    drained = new CompletableFuture<>();
    flush.stream().filter(d -> d.message().qos() > 0).forEach(d -> awaiting.add(d.id()));
    CompletableFuture<Void> result = drained;
    flush.forEach(sink::deliver);
    checkDrained();
    return result;
  }

  private void checkDrained() {
    if (drained != null && awaiting.isEmpty()) {
      CompletableFuture<Void> d = drained;
      drained = null;
      d.complete(null);
    }
  }

  @Override
  public void creditsAvailable() {}

  @Override
  public void updateWill(Message will) {
    wills.add(will == null ? Message.of("<none>", io.estuary.api.Payload.EMPTY, 0, false) : will);
  }

  @Override
  public void close(CloseReason reason) {
    closed = reason;
  }

  @Override
  public void discard() {
    closed = CloseReason.SESSION_EXPIRED;
    discarded = true;
  }
}
