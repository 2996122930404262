package io.estuary.coap.support;

import io.estuary.coap.mapping.TopicFilters;
import io.estuary.core.api.AuthResult;
import io.estuary.core.api.BrokerSession;
import io.estuary.core.api.ClientCredentials;
import io.estuary.core.api.ClientInfo;
import io.estuary.core.api.CloseReason;
import io.estuary.core.api.Delivery;
import io.estuary.core.api.DeliveryId;
import io.estuary.core.api.DeliverySink;
import io.estuary.core.api.GatewayContext;
import io.estuary.core.api.KeyValueSpace;
import io.estuary.core.api.Message;
import io.estuary.core.api.Metrics;
import io.estuary.core.api.PublishOutcome;
import io.estuary.core.api.SessionOptions;
import io.estuary.core.api.SubscribeOutcome;
import io.estuary.core.api.Subscription;
import io.estuary.core.api.TopicFilter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A tiny in-memory broker behind the SPI, for tests until the core's test kit exists: sessions with
 * take-over, filter subscriptions, retained messages, a pluggable authenticator and counters.
 */
public final class FakeBroker implements GatewayContext, AutoCloseable {
  public final Map<String, Session> sessions = new ConcurrentHashMap<>();
  public final Map<String, Message> retained = new ConcurrentHashMap<>();
  public final List<Message> published = new CopyOnWriteArrayList<>();
  public final List<ClientInfo> publishers = new CopyOnWriteArrayList<>();
  public final List<CloseReason> closes = new CopyOnWriteArrayList<>();
  public final Map<String, Counter> counters = new ConcurrentHashMap<>();
  public volatile Function<ClientCredentials, AuthResult> authenticator = c -> AuthResult.allowed();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final AtomicLong deliveryIds = new AtomicLong();

  public final class Session implements BrokerSession {
    public final ClientInfo client;
    public final DeliverySink sink;
    public final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    public final List<Long> acknowledged = new CopyOnWriteArrayList<>();
    public volatile CloseReason closedWith;

    Session(ClientInfo client, DeliverySink sink) {
      this.client = client;
      this.sink = sink;
    }

    @Override public String clientId() { return client.clientId(); }
    @Override public boolean sessionPresent() { return false; }

    @Override
    public CompletionStage<PublishOutcome> publish(Message m) {
      return onSink(route(client, m));
    }

    @Override
    public CompletionStage<PublishOutcome> publishExactlyOnce(int packetId, Message m) {
      return publish(m);
    }

    @Override public boolean release(int packetId) { return true; }

    @Override
    public CompletionStage<List<SubscribeOutcome>> subscribe(List<Subscription> subs) {
      List<SubscribeOutcome> out = new ArrayList<>();
      for (Subscription s : subs) {
        if (s.filter().value().startsWith("forbidden")) {
          out.add(SubscribeOutcome.failed(SubscribeOutcome.Failure.NOT_AUTHORIZED));
          continue;
        }
        subscriptions.put(s.filter().value(), s);
        out.add(SubscribeOutcome.granted(s.qos()));
      }
      CompletionStage<List<SubscribeOutcome>> r = onSink(out);
      for (Subscription s : subs) {
        retained.values().stream().filter(m -> TopicFilters.matches(s.filter().value(), m.topic()))
            .forEach(m -> deliver(this, m, List.of(s.subscriptionId())));
      }
      return r;
    }

    @Override
    public CompletionStage<Void> unsubscribe(List<TopicFilter> filters) {
      filters.forEach(f -> subscriptions.remove(f.value()));
      return onSink(null);
    }

    @Override public void received(DeliveryId id) {}
    @Override public void acknowledge(DeliveryId id) { acknowledged.add(id.value()); }
    @Override public void sleep(Duration d) {}
    @Override public CompletionStage<Void> wake() { return onSink(null); }
    @Override public void creditsAvailable() {}
    @Override public void updateWill(Message will) {}

    @Override
    public void close(CloseReason reason) {
      closedWith = reason;
      closes.add(reason);
      sessions.remove(client.clientId(), this);
    }

    private <T> CompletionStage<T> onSink(T value) {
      CompletableFuture<T> f = new CompletableFuture<>();
      sink.executor().execute(() -> f.complete(value));
      return f;
    }
  }

  private PublishOutcome route(ClientInfo from, Message m) {
    if (m.topic().startsWith("denied")) {
      return PublishOutcome.of(PublishOutcome.Status.NOT_AUTHORIZED);
    }
    published.add(m);
    publishers.add(from);
    if (m.retain()) {
      if (m.payload().isEmpty()) {
        retained.remove(m.topic());
      } else {
        retained.put(m.topic(), m);
      }
    }
    int matched = 0;
    for (Session s : sessions.values()) {
      List<Integer> ids = new ArrayList<>();
      int qos = -1;
      for (Subscription sub : s.subscriptions.values()) {
        if (TopicFilters.matches(sub.filter().value(), m.topic())) {
          ids.add(sub.subscriptionId());
          qos = Math.max(qos, sub.qos());
        }
      }
      if (qos >= 0) {
        matched++;
        deliver(s, m.withQos(Math.min(qos, m.qos())).withRetain(false), ids);
      }
    }
    return new PublishOutcome(matched == 0 ? PublishOutcome.Status.NO_MATCHING_SUBSCRIBERS : PublishOutcome.Status.OK, matched);
  }

  private void deliver(Session s, Message m, List<Integer> ids) {
    Delivery d = new Delivery(new DeliveryId(deliveryIds.incrementAndGet()), m, false, false, ids);
    s.sink.executor().execute(() -> s.sink.deliver(d));
  }

  /** Publishes as if from an MQTT client. */
  public PublishOutcome publishFromMqtt(Message m) {
    return route(ClientInfo.of("mqtt-test", null, "mqtt", null), m);
  }

  public Session session(String clientId) {
    return sessions.get(clientId);
  }

  public double count(String name) {
    Counter c = counters.get(name);
    return c == null ? 0 : c.count();
  }

  @Override public String nodeName() { return "test"; }

  @Override
  public CompletionStage<AuthResult> authenticate(ClientCredentials c) {
    return CompletableFuture.supplyAsync(() -> authenticator.apply(c));
  }

  @Override
  public CompletionStage<BrokerSession> openSession(ClientInfo client, SessionOptions o, DeliverySink sink) {
    Session s = new Session(client, sink);
    Session old = sessions.put(client.clientId(), s);
    if (old != null) {
      old.closedWith = CloseReason.TAKEN_OVER;
      old.sink.executor().execute(() -> old.sink.sessionClosed(CloseReason.TAKEN_OVER));
    }
    CompletableFuture<BrokerSession> f = new CompletableFuture<>();
    sink.executor().execute(() -> f.complete(s));
    return f;
  }

  @Override
  public CompletionStage<PublishOutcome> publish(ClientInfo publisher, Message message) {
    return CompletableFuture.completedFuture(route(publisher, message));
  }

  @Override public Message retained(String topic) { return retained.get(topic); }
  @Override public KeyValueSpace keyValueSpace(String namespace) { throw new UnsupportedOperationException(); }

  @Override
  public Metrics metrics() {
    return new Metrics() {
      @Override public Metrics.Counter counter(String name, String... tags) { return counters.computeIfAbsent(name, n -> new FakeBroker.Counter()); }
      @Override public void gauge(String name, Supplier<Number> value, String... tags) {}
    };
  }

  @Override public Clock clock() { return Clock.systemUTC(); }
  @Override public ScheduledExecutorService scheduler() { return scheduler; }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }

  /** A plain counter. */
  public static final class Counter implements Metrics.Counter {
    private final DoubleAdder n = new DoubleAdder();
    @Override public void increment() { n.add(1); }
    @Override public void increment(long amount) { n.add(amount); }
    @Override public double count() { return n.sum(); }
  }
}
