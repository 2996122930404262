package io.estuary.cf;

import io.estuary.api.AdapterConfig;
import java.util.Map;
import io.estuary.api.Metrics;
import io.estuary.api.limits.LogThrottle;
import io.estuary.api.limits.Rate;
import io.estuary.api.limits.TokenBucket;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code unknown_datagram_rate} of one plain UDP listener: the datagrams Californium gets, all together, from source
 * addresses that are not {@link KnownSources known} — one token bucket for the listener. Over it a datagram is
 * dropped unanswered on the receiver thread, before Californium copies, parses or deduplicates it, counted
 * ({@code datagrams.shed{reason=unknown_datagram_rate}}) and logged at most once every 10 s. A flood of spoofed or
 * garbage requests from many addresses then costs one read per datagram past this budget, while the devices the
 * listener knows ({@link KnownSources}: they proved themselves lately) keep the listener's {@code
 * max_datagram_rate}. Thread-safe.
 */
public final class UnknownSourceBudget {
  private static final Logger DROPS = LoggerFactory.getLogger("io.estuary.cf.drops");

  private final String listener;
  private final KnownSources known;
  private final Rate rate;
  private final TokenBucket bucket;
  private final Metrics.Counter shed;
  private final LogThrottle log = LogThrottle.every(10_000);

  /** {@code unknown_datagram_rate} of a plain UDP listener that does not set it (CoAP, LwM2M, LwM2M bootstrap). */
  public static final Rate DEFAULT_RATE = Rate.parse("200/s");

  /**
   * Puts plain UDP listener {@code listener}'s {@code unknown_datagram_rate}, when it sets one, into {@code into}
   * under {@code name} ({@code udp:default}); a bad value fails naming the key.
   */
  public static void readRate(AdapterConfig listener, String name, Map<String, Rate> into) {
    if (listener.has("unknown_datagram_rate")) {
      try {
        into.put(name, Rate.parse(listener.getString("unknown_datagram_rate")));
      } catch (IllegalArgumentException e) {
        throw listener.invalid("unknown_datagram_rate", "a rate such as \"200/s\" or infinity");
      }
    }
  }

  public UnknownSourceBudget(String listener, KnownSources known, Rate rate, Metrics.Counter shed) {
    this.listener = listener;
    this.known = known;
    this.rate = rate;
    this.bucket = TokenBucket.of(rate);
    this.shed = shed;
  }

  /** As above, counting into {@code datagrams.shed{reason=unknown_datagram_rate}} of {@code metrics}. */
  public static UnknownSourceBudget of(String listener, KnownSources known, Rate rate, Metrics metrics) {
    return new UnknownSourceBudget(listener, known, rate,
        metrics.counter("datagrams.shed", "reason", "unknown_datagram_rate"));
  }

  /** Whether a datagram from {@code source} may go on (known, or within the budget); false = drop it (counted). */
  public boolean admit(InetSocketAddress source) {
    if (rate.isInfinite() || source == null || source.getAddress() == null || known.isKnown(source.getAddress())) {
      return true;
    }
    if (bucket.tryAcquire(1)) {
      return true;
    }
    shed.increment();
    long suppressed = log.admit();
    if (suppressed >= 0) {
      DROPS.warn("{}: datagrams from addresses not known (no recent proof) over unknown_datagram_rate {}, dropped "
          + "unanswered{}", listener, rate, LogThrottle.suffix(suppressed));
    }
    return false;
  }
}
