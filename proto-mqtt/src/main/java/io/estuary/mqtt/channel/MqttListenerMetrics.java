package io.estuary.mqtt.channel;

import io.estuary.api.Metrics;

/** Counters shared by all MQTT connections of one adapter. Thread-safe (the counters are). */
public final class MqttListenerMetrics {
  final Metrics.Counter malformed;
  final Metrics.Counter authFailures;
  final Metrics.Counter connects;
  final Metrics.Counter publishesIn;
  final Metrics.Counter publishesOut;
  /** Connections refused at accept because the listener is at {@code max_connections}. */
  public final Metrics.Counter rejectedConnections;
  /** Connections closed at accept because the listener is over {@code max_conn_rate}. */
  public final Metrics.Counter connRateDrops;
  /** Connections closed because no complete CONNECT arrived within {@code mqtt.idle_timeout} of the accept. */
  public final Metrics.Counter connectTimeouts;
  /** Times reading from a client was paused: over its {@code messages_rate}, its {@code bytes_rate}. */
  public final Metrics.Counter messagesRatePauses;
  public final Metrics.Counter bytesRatePauses;
  /**
   * Times reading from a client was paused because its connection was not writable: the client does not read what it
   * is sent as fast as it sends requests.
   */
  public final Metrics.Counter unwritablePauses;
  /** Times reading from a client was paused because its unanswered QoS 1/2 publishes reached the receive maximum. */
  final Metrics.Counter inflightPauses;
  /** MQTT 5 PUBLISHes refused for their topic alias: out of range, unknown, or bound to an invalid topic. */
  final Metrics.Counter aliasRefused;
  /**
   * Exceptions thrown by the listener's own code while handling a connection (a bug, never device
   * input: malformed packets are {@code mqtt.drops{reason=malformed}}). The connection is closed.
   */
  public final Metrics.Counter internalErrors;

  public MqttListenerMetrics(Metrics m) {
    malformed = m.counter("drops", "reason", "malformed");
    authFailures = m.counter("auth.failures");
    connects = m.counter("connects");
    publishesIn = m.counter("publish.received");
    publishesOut = m.counter("publish.sent");
    rejectedConnections = m.counter("drops", "reason", "max_connections");
    internalErrors = m.counter("errors", "reason", "internal");
    connRateDrops = m.counter("drops", "reason", "max_conn_rate");
    connectTimeouts = m.counter("drops", "reason", "connect_timeout");
    messagesRatePauses = m.counter("reads.paused", "reason", "messages_rate");
    bytesRatePauses = m.counter("reads.paused", "reason", "bytes_rate");
    inflightPauses = m.counter("reads.paused", "reason", "inflight");
    unwritablePauses = m.counter("reads.paused", "reason", "unwritable");
    aliasRefused = m.counter("drops", "reason", "topic_alias");
  }
}
