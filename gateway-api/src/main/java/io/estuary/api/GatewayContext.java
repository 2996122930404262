package io.estuary.api;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * The narrow menu of broker services one adapter may use, created by the core for that adapter: it
 * carries the adapter's protocol name, its own key-value namespace and its metric prefix. Thread-safe;
 * every method may be called from any thread and returns without blocking (work that waits runs
 * elsewhere and completes a stage). The thread that completes each stage is stated per method.
 */
public interface GatewayContext {

  /** The protocol of the adapter this context belongs to ({@link ProtocolAdapterFactory#protocol()}). */
  String protocol();

  /** The node name, as in {@code $SYS/brokers/{node}/...}. Any thread. */
  String nodeName();

  /**
   * Checks credentials against the configured authenticator. Completes on an arbitrary thread (the
   * caller's when the answer is known at once, else the authenticator's).
   */
  CompletionStage<AuthResult> authenticate(ClientCredentials credentials);

  /**
   * Opens (or takes over, or resumes) the session of {@code client.clientId()}. An existing
   * connection with the same client id gets {@link DeliverySink#sessionClosed} with TAKEN_OVER.
   * Completes on {@code sink.executor()}, also when it fails, before any delivery to the sink. A refusal
   * fails the stage with a {@link SessionRefusedException} whose reason the adapter answers with its
   * protocol's code.
   */
  CompletionStage<BrokerSession> openSession(ClientInfo client, SessionOptions options, DeliverySink sink);

  /**
   * Publishes without a session (MQTT-SN QoS −1, connectionless CoAP), with the ACL of
   * {@code publisher}. Completes on an arbitrary thread (the caller's for QoS 0; for QoS 1/2 a
   * target session's executor or the store writer's).
   */
  CompletionStage<PublishOutcome> publish(ClientInfo publisher, Message message);

  /**
   * The retained message on {@code topic}, or null (CoAP GET without observe). Synchronous on purpose:
   * it reads the broker's concurrent in-memory retained index, never the store (an expired message is
   * dropped from the index and its store delete is queued, not awaited). Any thread.
   */
  Message retained(String topic);

  /**
   * Whether {@code client} may {@code access} {@code topic} by the gateway's ACL (superusers may do
   * anything). For reads that are not subscriptions (a CoAP retained GET) ask with {@link Access#SUBSCRIBE}.
   * Synchronous: the ACL is in memory. Any thread.
   */
  boolean authorize(ClientInfo client, Access access, String topic);

  /**
   * The adapter's own durable key-value space; its stored namespace is {@link #protocol()}. Any thread;
   * see {@link KeyValueSpace} for where its stages complete.
   */
  KeyValueSpace keyValueSpace();

  /**
   * A named key-value space of this adapter (e.g. "topic-ids"); its stored namespace is
   * {@code <protocol>-<name>}, so no adapter reaches another's state. {@code name} is lower-case
   * letters, digits, '_' and '-'. Any thread.
   */
  KeyValueSpace keyValueSpace(String name);

  /**
   * Watches the session of {@code clientId}, whoever's it is: {@code listener} is told each time a connection
   * attaches to it (a resume, a take-over or a clean start, through any adapter or listener: the attaching client)
   * and once when it ends (it expired, was deleted through the management API or discarded, or a connection without
   * a persistent session ended: empty); nothing is told after that. The watch is of the session {@code clientId}
   * has when it begins: empty at once when there is none (or it ended while the watch began); a later session of
   * the same client id is not this one (watch again). For an adapter that keeps state about a session it left offline and must drop it once that session is
   * gone or in other hands (MQTT-SN's kept-offline places of unproven clients, issue #13); closing or discarding
   * through a {@link BrokerSession} tells its own {@link DeliverySink} instead. Any thread; returns at once.
   *
   * <p>Threads: {@code listener} runs on {@code executor}, one change at a time in the order they happened (an
   * executor that runs tasks in order: an event loop, a {@code SerialExecutor}). The returned {@code Runnable}
   * ends the watch (any thread, idempotent): no telling starts after it returned. The default watches nothing.
   */
  default Runnable watchSession(String clientId, Executor executor, Consumer<Optional<ClientInfo>> listener) {
    return () -> { };
  }

  /** Metrics under the adapter's prefix ({@code <protocol>.}): name them relative to the adapter. */
  Metrics metrics();

  Clock clock();

  /**
   * The trace of {@code clientId} when an operator traces that client, else null: call it per packet (a map
   * look-up, nothing allocated while no client is traced) and write the packet's summary in or out.
   */
  default PacketTrace trace(String clientId) {
    return null;
  }

  /**
   * A shared scheduler for adapter timers; tasks run on its one thread, must be short and hand session
   * work to the session's executor.
   */
  ScheduledExecutorService scheduler();
}
