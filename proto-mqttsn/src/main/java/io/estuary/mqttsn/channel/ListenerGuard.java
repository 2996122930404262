package io.estuary.mqttsn.channel;

import io.estuary.api.GatewayContext;
import io.estuary.api.limits.AddressRates;
import io.estuary.api.limits.Rate;
import io.estuary.api.limits.TokenBucket;
import io.estuary.mqttsn.MqttSnLimits.ListenerLimits;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * One listener's rates (issue #13): {@code max_conn_rate} and the pace of half-open expiries for the listener, and
 * per source IP address {@code source_datagram_rate} and {@code source_conn_rate} in an {@link AddressRates} table of
 * at most {@code max_sources} addresses (one not seen lately evicted, CLOCK), allocated when the listener starts: a flood
 * from millions of spoofed addresses costs a fixed amount of memory and allocates nothing per new address. Buckets
 * run on the gateway's clock. Called on the listener's event loop; the table and buckets are thread-safe anyway, so
 * the metrics scrape may read them.
 */
final class ListenerGuard {
  /** The per-source buckets: {@code source_datagram_rate}, {@code source_conn_rate}. */
  private static final int DATAGRAMS = 0;
  private static final int CONNECTS = 1;

  private final ListenerLimits limits;
  private final TokenBucket connRate;
  private final TokenBucket unknownAnswers;
  /** Expiries of half-open channels: max_half_open per half_open_timeout, in steps of a twentieth. */
  private final TokenBucket halfOpenExpiries;
  private final AddressRates sources;

  ListenerGuard(ListenerLimits limits, GatewayContext ctx, String listener) {
    this.limits = limits;
    LongSupplier nanos = () -> ctx.clock().millis() * 1_000_000L;
    this.connRate = new TokenBucket(limits.maxConnRate(), nanos);
    this.unknownAnswers = new TokenBucket(limits.unknownAnswerRate(), nanos);
    this.halfOpenExpiries = new TokenBucket(new Rate(limits.maxHalfOpen(),
        Duration.ofMillis(Math.max(1, limits.halfOpenTimeout().toMillis()))), Math.max(1, limits.maxHalfOpen() / 20),
        nanos);
    boolean perSource = !limits.sourceDatagramRate().isInfinite() || !limits.sourceConnRate().isInfinite();
    this.sources = perSource
        ? new AddressRates(limits.maxSources(), List.of(limits.sourceDatagramRate(), limits.sourceConnRate()), nanos)
        : null;
    if (sources != null) {
      ctx.metrics().gauge("sources", sources::size, "listener", listener);
      ctx.metrics().monotonic("sources.evicted", sources::evictions, "listener", listener);
    }
  }

  ListenerLimits limits() {
    return limits;
  }

  /** Whether a datagram from {@code source} is within source_datagram_rate. */
  boolean admitDatagram(InetAddress source) {
    return sources == null || sources.tryAcquire(source, DATAGRAMS, 1);
  }

  /**
   * Whether one more half-open channel past its {@code half_open_timeout} may expire now: at most {@code
   * max_half_open} per timeout, so a backlog a flood filled at once drains evenly.
   */
  boolean admitHalfOpenExpiry() {
    return halfOpenExpiries.tryAcquire(1);
  }

  /** Whether one more answer to a source without a channel is within unknown_answer_rate. */
  boolean admitUnknownAnswer() {
    return unknownAnswers.tryAcquire(1);
  }

  /**
   * Null when a CONNECT from {@code source} is within the rates, else the key it exceeds ({@code
   * max_conn_rate} or {@code source_conn_rate}).
   */
  String admitConnect(InetAddress source) {
    if (sources != null && !sources.tryAcquire(source, CONNECTS, 1)) {
      return "source_conn_rate"; // checked first: one noisy source must not use up the listener's rate
    }
    return connRate.tryAcquire(1) ? null : "max_conn_rate";
  }
}
