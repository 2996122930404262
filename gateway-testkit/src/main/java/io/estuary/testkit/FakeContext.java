package io.estuary.testkit;

import io.estuary.api.AuthResult;
import io.estuary.api.BrokerSession;
import io.estuary.api.ClientCredentials;
import io.estuary.api.ClientInfo;
import io.estuary.api.DeliverySink;
import io.estuary.api.GatewayContext;
import io.estuary.api.KeyValueSpace;
import io.estuary.api.Message;
import io.estuary.api.Metrics;
import io.estuary.api.PublishOutcome;
import io.estuary.api.SessionOptions;
import io.estuary.core.server.AdapterContext;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * One adapter's gateway context that opens {@link FakeSession}s and records everything. Key-value
 * spaces use the gateway's namespace rule ({@code <protocol>}, {@code <protocol>-<name>}) and run on
 * {@link #storeExecutor}; metric names get the {@code <protocol>.} prefix as in the gateway.
 */
public final class FakeContext implements GatewayContext {
  public final String protocol;
  public final Clock clock;
  public final List<ClientCredentials> authenticated = new CopyOnWriteArrayList<>();
  public final List<FakeSession> sessions = new CopyOnWriteArrayList<>();
  public final List<Message> anonymous = new CopyOnWriteArrayList<>();
  public final Map<String, Double> counters = new ConcurrentHashMap<>();
  public volatile AuthResult auth = AuthResult.allowed();
  /** What the next opened session answers to sessionPresent(). */
  public volatile boolean sessionPresent;
  /** When set, openSession fails with it (the broker's identity and ownership rules). */
  public volatile io.estuary.api.SessionRefusedException refuseSessions;
  /** The spaces handed out, by stored namespace ("mqttsn-topic-ids"). */
  public final Map<String, MemoryKeyValueSpace> spaces = new ConcurrentHashMap<>();
  /**
   * Where spaces created from now on run their operations and complete their stages: the caller's
   * thread by default; a manual executor shows what an adapter does while the store is busy.
   */
  public volatile Executor storeExecutor = Runnable::run;
  private ScheduledExecutorService scheduler;

  public FakeContext(String protocol, Clock clock) {
    this.protocol = protocol;
    this.clock = clock;
  }

  /** The space stored under {@code namespace} (created empty if none yet): seed it or check it. */
  public MemoryKeyValueSpace space(String namespace) {
    return spaces.computeIfAbsent(namespace, n -> new MemoryKeyValueSpace(storeExecutor));
  }

  public FakeSession lastSession() {
    return sessions.get(sessions.size() - 1);
  }

  public FakeSession session(String clientId) {
    for (int i = sessions.size() - 1; i >= 0; i--) {
      if (sessions.get(i).clientId().equals(clientId)) {
        return sessions.get(i);
      }
    }
    return null;
  }

  public double counter(String name) {
    return counters.entrySet().stream().filter(e -> e.getKey().startsWith(name)).mapToDouble(Map.Entry::getValue).sum();
  }

  @Override
  public String protocol() {
    return protocol;
  }

  @Override
  public String nodeName() {
    return "test";
  }

  @Override
  public CompletionStage<AuthResult> authenticate(ClientCredentials credentials) {
    authenticated.add(credentials);
    return CompletableFuture.completedFuture(auth);
  }

  @Override
  public CompletionStage<BrokerSession> openSession(ClientInfo client, SessionOptions options, DeliverySink sink) {
    io.estuary.api.SessionRefusedException refused = refuseSessions;
    if (refused != null) {
      return CompletableFuture.failedFuture(refused);
    }
    FakeSession s = new FakeSession(client, options, sink, sessionPresent);
    sessions.add(s);
    return CompletableFuture.completedFuture(s);
  }

  @Override
  public CompletionStage<PublishOutcome> publish(ClientInfo publisher, Message message) {
    anonymous.add(message);
    return CompletableFuture.completedFuture(new PublishOutcome(PublishOutcome.Status.OK, 0));
  }

  @Override
  public Message retained(String topic) {
    return null;
  }

  /** Topics this fake refuses (any access); everything else is allowed. */
  public final java.util.Set<String> deniedTopics = java.util.concurrent.ConcurrentHashMap.newKeySet();

  @Override
  public boolean authorize(ClientInfo client, io.estuary.api.Access access, String topic) {
    return !deniedTopics.contains(topic);
  }

  @Override
  public KeyValueSpace keyValueSpace() {
    return space(AdapterContext.namespace(protocol, null));
  }

  @Override
  public KeyValueSpace keyValueSpace(String name) {
    return space(AdapterContext.namespace(protocol, name));
  }

  @Override
  public Metrics metrics() {
    return new Metrics() {
      @Override
      public Counter counter(String name, String... tags) {
        String key = protocol + "." + name + String.join(",", tags);
        return new Counter() {
          @Override
          public void increment() {
            increment(1);
          }

          @Override
          public void increment(long amount) {
            counters.merge(key, (double) amount, Double::sum);
          }

          @Override
          public double count() {
            return counters.getOrDefault(key, 0.0);
          }
        };
      }

      @Override
      public void gauge(String name, Supplier<Number> value, String... tags) {}
    };
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public synchronized ScheduledExecutorService scheduler() {
    if (scheduler == null) {
      scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fake-scheduler");
        t.setDaemon(true);
        return t;
      });
    }
    return scheduler;
  }
}
