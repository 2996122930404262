package io.estuary.api;

import java.time.Clock;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The narrow menu of broker services an adapter may use. Thread-safe; no method blocks.
 */
public interface GatewayContext {

  /** The node name, as in {@code $SYS/brokers/{node}/...}. */
  String nodeName();

  /** Checks credentials against the configured authenticator. Completes on an arbitrary thread. */
  CompletionStage<AuthResult> authenticate(ClientCredentials credentials);

  /**
   * Opens (or takes over, or resumes) the session of {@code client.clientId()}. An existing
   * connection with the same client id gets {@link DeliverySink#sessionClosed} with TAKEN_OVER.
   * Completes on {@code sink.executor()}.
   */
  CompletionStage<BrokerSession> openSession(ClientInfo client, SessionOptions options, DeliverySink sink);

  /**
   * Publishes without a session (MQTT-SN QoS −1, connectionless CoAP), with the ACL of
   * {@code publisher}. Completes on an arbitrary thread.
   */
  CompletionStage<PublishOutcome> publish(ClientInfo publisher, Message message);

  /** The retained message on {@code topic}, or null (CoAP GET without observe). */
  Message retained(String topic);

  /** Namespaced durable key-value space for adapter state (topic-id tables, registrations). */
  KeyValueSpace keyValueSpace(String namespace);

  Metrics metrics();

  Clock clock();

  /** A shared scheduler for adapter timers; tasks must be short and hand session work to the session's executor. */
  ScheduledExecutorService scheduler();
}
