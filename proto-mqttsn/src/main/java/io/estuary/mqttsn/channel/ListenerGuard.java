package io.estuary.mqttsn.channel;

import io.estuary.api.GatewayContext;
import io.estuary.api.limits.SourceTable;
import io.estuary.api.limits.TokenBucket;
import io.estuary.mqttsn.MqttSnLimits.ListenerLimits;
import java.net.InetAddress;
import java.util.function.LongSupplier;

/**
 * One listener's rates (issue #13): {@code max_conn_rate} for the listener, and per source IP address
 * {@code source_datagram_rate} and {@code source_conn_rate} in a bounded {@link SourceTable} of at most
 * {@code max_sources} addresses (one not seen lately evicted, SourceTable's CLOCK: a flood from millions of spoofed
 * addresses costs a fixed amount of memory). Buckets run on the gateway's clock. Called on the listener's
 * event loop; the table and buckets are thread-safe anyway, so the metrics scrape may read them.
 */
final class ListenerGuard {
  /** One source address's buckets. */
  private record Source(TokenBucket datagrams, TokenBucket connects) {}

  private final ListenerLimits limits;
  private final TokenBucket connRate;
  private final TokenBucket unknownAnswers;
  private final SourceTable<InetAddress, Source> sources;

  ListenerGuard(ListenerLimits limits, GatewayContext ctx, String listener) {
    this.limits = limits;
    LongSupplier nanos = () -> ctx.clock().millis() * 1_000_000L;
    this.connRate = new TokenBucket(limits.maxConnRate(), nanos);
    this.unknownAnswers = new TokenBucket(limits.unknownAnswerRate(), nanos);
    boolean perSource = !limits.sourceDatagramRate().isInfinite() || !limits.sourceConnRate().isInfinite();
    this.sources = perSource ? new SourceTable<>(limits.maxSources(),
        a -> new Source(new TokenBucket(limits.sourceDatagramRate(), nanos), new TokenBucket(limits.sourceConnRate(), nanos)))
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
    return sources == null || sources.get(source).datagrams().tryAcquire(1);
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
    if (sources != null && !sources.get(source).connects().tryAcquire(1)) {
      return "source_conn_rate"; // checked first: one noisy source must not use up the listener's rate
    }
    return connRate.tryAcquire(1) ? null : "max_conn_rate";
  }
}
