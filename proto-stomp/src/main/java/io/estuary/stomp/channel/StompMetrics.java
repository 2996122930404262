package io.estuary.stomp.channel;

import io.estuary.api.Metrics;
import io.estuary.api.Metrics.Counter;
import io.estuary.stomp.codec.DecodeResult;
import java.util.EnumMap;
import java.util.Map;

/** The adapter's counters, under "stomp." (shared by all connections; counters are thread-safe). */
public final class StompMetrics {
  final Counter connects;
  final Counter authFailures;
  final Counter sessionRefused;
  final Counter deniedPublish;
  final Counter deniedSubscribe;
  final Counter protocolErrors;
  final Counter heartbeatTimeouts;
  final Counter messagesIn;
  final Counter messagesOut;
  final Counter redelivered;
  final Counter deadLettered;
  final Counter droppedRedelivery;
  final Counter droppedOverflow;
  final Counter unknownAcks;
  final Counter transactionsCommitted;
  final Counter transactionsAborted;
  public final Counter rejectedConnections;
  /** Connections closed because no CONNECT came (or was finished) within {@code idle_timeout}. */
  final Counter idleTimeouts;
  /** Connections closed at accept because the listener is over {@code max_conn_rate}. */
  public final Counter rateLimitedConnections;
  /** Times a connection stopped reading because it went over its listener's {@code messages_rate}. */
  public final Counter messagesRatePauses;
  /** Times a connection stopped reading because it went over its listener's {@code bytes_rate}. */
  public final Counter bytesRatePauses;
  /** Times a connection stopped reading because it was not writable: the client does not read what it is sent. */
  public final Counter unwritablePauses;
  private final Map<DecodeResult.Kind, Counter> frameErrors = new EnumMap<>(DecodeResult.Kind.class);

  public StompMetrics(Metrics m) {
    connects = m.counter("connects");
    authFailures = m.counter("auth.failures");
    sessionRefused = m.counter("session.refused");
    deniedPublish = m.counter("denied", "access", "publish");
    deniedSubscribe = m.counter("denied", "access", "subscribe");
    protocolErrors = m.counter("errors", "reason", "protocol");
    heartbeatTimeouts = m.counter("heartbeat.timeouts");
    messagesIn = m.counter("messages.received");
    messagesOut = m.counter("messages.sent");
    redelivered = m.counter("messages.redelivered");
    deadLettered = m.counter("messages.dead_lettered");
    droppedRedelivery = m.counter("messages.dropped", "reason", "max_redeliveries");
    droppedOverflow = m.counter("messages.dropped", "reason", "unacked_overflow");
    unknownAcks = m.counter("acks.unknown");
    transactionsCommitted = m.counter("transactions", "outcome", "commit");
    transactionsAborted = m.counter("transactions", "outcome", "abort");
    rejectedConnections = m.counter("connections.rejected");
    idleTimeouts = m.counter("idle.timeouts");
    rateLimitedConnections = m.counter("connections.rate_limited");
    messagesRatePauses = m.counter("reads.paused", "reason", "messages_rate");
    bytesRatePauses = m.counter("reads.paused", "reason", "bytes_rate");
    unwritablePauses = m.counter("reads.paused", "reason", "unwritable");
    for (DecodeResult.Kind k : DecodeResult.Kind.values()) {
      frameErrors.put(k, m.counter("frames.refused", "reason", k.tag()));
    }
  }

  void frameError(DecodeResult.Kind kind) {
    frameErrors.get(kind).increment();
  }
}
