package io.estuary.tcp.channel;

import io.estuary.api.Metrics;
import io.estuary.tcp.codec.FrameError;

/** The adapter's counters (under {@code tcp.}), shared by every connection; thread-safe. */
public final class TcpMetrics {
  public final Metrics.Counter connects;
  public final Metrics.Counter authFailures;
  public final Metrics.Counter publishesIn;
  public final Metrics.Counter deliveriesOut;
  public final Metrics.Counter downlinkDropped;
  public final Metrics.Counter rejectedConnections;
  /** Connections closed at accept because the listener is over {@code max_conn_rate}. */
  public final Metrics.Counter rateLimitedConnections;
  public final Metrics.Counter keepaliveTimeouts;
  /** Times a connection stopped reading because it went over its listener's {@code messages_rate}. */
  public final Metrics.Counter messagesRatePauses;
  /** Times a connection stopped reading because it went over its listener's {@code bytes_rate}. */
  public final Metrics.Counter bytesRatePauses;
  /** Times a connection stopped reading because it was not writable: the device does not read what it is sent. */
  public final Metrics.Counter unwritablePauses;
  /** Connections closed because no CONNECT (EMQX framing) or first frame came within {@code idle_timeout}. */
  public final Metrics.Counter loginTimeouts;
  private final Metrics.Counter unknownType;
  private final Metrics.Counter malformed;
  private final Metrics.Counter tooLarge;
  private final Metrics.Counter protocolError;

  public TcpMetrics(Metrics m) {
    connects = m.counter("connects");
    authFailures = m.counter("auth.failures");
    publishesIn = m.counter("messages.received");
    deliveriesOut = m.counter("messages.sent");
    downlinkDropped = m.counter("messages.dropped", "reason", "unframeable");
    rejectedConnections = m.counter("connections.rejected");
    rateLimitedConnections = m.counter("connections.rate_limited");
    keepaliveTimeouts = m.counter("keepalive.timeouts");
    messagesRatePauses = m.counter("reads.paused", "reason", "messages_rate");
    bytesRatePauses = m.counter("reads.paused", "reason", "bytes_rate");
    unwritablePauses = m.counter("reads.paused", "reason", "unwritable");
    loginTimeouts = m.counter("idle.timeouts");
    unknownType = m.counter("malformed", "reason", "unknown_type");
    malformed = m.counter("malformed", "reason", "malformed");
    tooLarge = m.counter("malformed", "reason", "too_large");
    protocolError = m.counter("malformed", "reason", "protocol_error");
  }

  /** Counts a decoder failure by its kind ({@code tcp.malformed{reason=…}}). */
  public void frameError(FrameError e) {
    switch (e.kind()) {
      case UNKNOWN_TYPE -> unknownType.increment();
      case TOO_LARGE -> tooLarge.increment();
      default -> malformed.increment();
    }
  }

  /** A well-formed frame in the wrong place (DATATRANS before CONNECT, a second CONNECT, a CONNACK from a device). */
  public void protocolError() {
    protocolError.increment();
  }
}
