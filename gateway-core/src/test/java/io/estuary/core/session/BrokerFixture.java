package io.estuary.core.session;

import com.typesafe.config.ConfigFactory;
import io.estuary.api.AuthResult;
import io.estuary.api.BrokerSession;
import io.estuary.api.ClientInfo;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.PublishOutcome;
import io.estuary.api.SessionOptions;
import io.estuary.core.auth.Authorizer;
import io.estuary.core.config.ConfigLoader;
import io.estuary.core.config.MqttLimits;
import io.estuary.core.management.MicrometerMetrics;
import io.estuary.core.store.memory.MemoryStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A broker without sockets or threads of its own doing anything: sessions run on the test's thread (a
 * direct pool under their serial executors), sinks on {@link ManualExecutor}s, timers and the clock on
 * {@link ManualTime}, state in a {@link MemoryStore} (which the test may hand to a second broker to
 * play a restart).
 */
final class BrokerFixture implements AutoCloseable {
  static final Instant START = Instant.parse("2024-01-01T00:00:00Z");

  final ManualTime time;
  final MemoryStore store;
  final MicrometerMetrics metrics = new MicrometerMetrics();
  final MqttLimits limits;
  final Broker broker;
  final Authorizer authorizer;
  private final List<Device> devices = new ArrayList<>();
  /** The session pool when it is a {@link ManualExecutor} ({@link #settle} runs it); null: sessions run inline. */
  private final ManualExecutor pool;

  BrokerFixture() {
    this("");
  }

  /** @param config {@code mqtt.*} overrides in HOCON, e.g. {@code "mqtt.max_mqueue_len = 3"} */
  BrokerFixture(String config) {
    this(config, new MemoryStore(), new ManualTime(START));
  }

  BrokerFixture(String config, MemoryStore store, ManualTime time) {
    this(config, store, time, (client, action, topic) -> !topic.startsWith("forbidden/"));
  }

  /** With the ACL {@code authorizer} (e.g. an {@link io.estuary.core.auth.AclAuthorizer} with superusers). */
  BrokerFixture(String config, MemoryStore store, ManualTime time, Authorizer authorizer) {
    this(config, store, time, authorizer, null);
  }

  /**
   * Sessions on {@code pool}, which only {@link #settle} runs: tasks from several publishers queue up in a
   * session's mailbox before it runs, as they do under load.
   */
  BrokerFixture(String config, ManualExecutor pool) {
    this(config, new MemoryStore(), new ManualTime(START), (client, action, topic) -> !topic.startsWith("forbidden/"), pool);
  }

  private BrokerFixture(String config, MemoryStore store, ManualTime time, Authorizer authorizer, ManualExecutor pool) {
    this.time = time;
    this.store = store;
    this.authorizer = authorizer;
    this.pool = pool;
    this.limits = ConfigLoader.bind(ConfigFactory.parseString(config)).mqtt();
    this.broker = new Broker("test", limits, store, c -> CompletableFuture.completedFuture(AuthResult.allowed()),
        authorizer, metrics, time, pool == null ? Runnable::run : pool, time);
  }

  /** The same store and clock, a new broker that recovers from the store (a restart). */
  BrokerFixture restart(String config) {
    return restart(config, authorizer);
  }

  /** A restart whose broker runs with another ACL. */
  BrokerFixture restart(String config, Authorizer nextAuthorizer) {
    close();
    // a fresh timer wheel at the same instant: the old broker's timers die with it
    BrokerFixture next = new BrokerFixture(config, store, new ManualTime(time.instant()), nextAuthorizer);
    next.broker.recover();
    return next;
  }

  static SessionOptions.Builder clean() {
    return SessionOptions.builder();
  }

  static SessionOptions.Builder persistent() {
    return SessionOptions.builder().cleanStart(false).sessionExpiry(Duration.ofHours(1));
  }

  /** Opens a session and runs everything until it is open. */
  Device open(String clientId, SessionOptions.Builder options) {
    Device d = connect(clientId, options.build());
    settle();
    if (d.session == null) {
      throw new AssertionError("session " + clientId + " did not open: " + d.opened);
    }
    return d;
  }

  /** Starts opening a session; nothing runs on the sink's executor until the test settles. */
  Device connect(String clientId, SessionOptions options) {
    return connect(ClientInfo.of(clientId, clientId, "test", null), options);
  }

  /** Opens a session as {@code username} and runs everything until it is open or refused. */
  Device openAs(String clientId, String username, SessionOptions.Builder options) {
    Device d = connect(ClientInfo.of(clientId, username, "test", null), options.build());
    settle();
    return d;
  }

  /** Starts opening a session for {@code client}. */
  Device connect(ClientInfo client, SessionOptions options) {
    String clientId = client.clientId();
    Device d = new Device(this, clientId, new RecordingSink());
    devices.add(d);
    d.opened = broker.openSession(client, options, d.sink);
    d.opened.whenComplete((s, e) -> d.session = s);
    return d;
  }

  /** Runs every sink's executor until none has work left (sessions run inline). */
  void settle() {
    boolean any;
    do {
      any = pool != null && pool.runAll();
      for (Device d : List.copyOf(devices)) {
        any |= d.sink.executor.runAll();
      }
    } while (any);
  }

  /** Moves the clock, runs the timers that came due and settles. */
  void advance(Duration d) {
    time.advance(d);
    settle();
  }

  /** Publishes through {@code from} and settles. */
  PublishOutcome publish(Device from, String topic, String payload, int qos) {
    CompletableFuture<PublishOutcome> f = from.session.publish(message(topic, payload, qos)).toCompletableFuture();
    settle();
    return f.join();
  }

  static Message message(String topic, String payload, int qos) {
    return Message.of(topic, Payload.utf8(payload), qos, false);
  }

  double count(String name, String... tags) {
    return metrics.counter(name, tags).count();
  }

  double dropped(String reason) {
    return count("messages.dropped", "reason", reason);
  }

  @Override
  public void close() {
    broker.close();
  }

  /** One device: its sink and, once open, its session. */
  static final class Device {
    final BrokerFixture fixture;
    final String clientId;
    final RecordingSink sink;
    CompletionStage<BrokerSession> opened;
    volatile BrokerSession session;

    Device(BrokerFixture fixture, String clientId, RecordingSink sink) {
      this.fixture = fixture;
      this.clientId = clientId;
      this.sink = sink;
    }

    Device subscribe(String filter, int qos) {
      session.subscribe(List.of(io.estuary.api.Subscription.of(filter, qos)));
      fixture.settle();
      return this;
    }

    /** Acknowledges every delivery received so far that is still unacknowledged by this test. */
    void acknowledge(io.estuary.api.Delivery d) {
      session.acknowledge(d.id());
      fixture.settle();
    }

    void close(io.estuary.api.CloseReason reason) {
      session.close(reason);
      fixture.settle();
    }
  }
}
