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
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/** A gateway context that opens {@link FakeSession}s and records everything. */
public final class FakeContext implements GatewayContext {
  public final Clock clock;
  public final List<ClientCredentials> authenticated = new CopyOnWriteArrayList<>();
  public final List<FakeSession> sessions = new CopyOnWriteArrayList<>();
  public final List<Message> anonymous = new CopyOnWriteArrayList<>();
  public final Map<String, Double> counters = new ConcurrentHashMap<>();
  public volatile AuthResult auth = AuthResult.allowed();
  /** What the next opened session answers to sessionPresent(). */
  public volatile boolean sessionPresent;
  public final Map<String, MemoryKeyValueSpace> spaces = new ConcurrentHashMap<>();
  /** Wraps the spaces handed out by {@link #keyValueSpace} (tests that watch store access). */
  public volatile java.util.function.UnaryOperator<KeyValueSpace> wrapSpaces = k -> k;
  private ScheduledExecutorService scheduler;

  public FakeContext(Clock clock) {
    this.clock = clock;
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

  @Override
  public KeyValueSpace keyValueSpace(String namespace) {
    return wrapSpaces.apply(spaces.computeIfAbsent(namespace, n -> new MemoryKeyValueSpace()));
  }

  @Override
  public Metrics metrics() {
    return new Metrics() {
      @Override
      public Counter counter(String name, String... tags) {
        String key = name + String.join(",", tags);
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
