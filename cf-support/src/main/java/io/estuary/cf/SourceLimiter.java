package io.estuary.cf;

import io.estuary.api.Metrics;
import io.estuary.api.limits.LogThrottle;
import io.estuary.api.limits.Rate;
import io.estuary.api.limits.SourceTable;
import io.estuary.api.limits.TokenBucket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-source-address datagram rate of one UDP listener: a token bucket per remote IP address (not per port: a
 * spoofing host varies ports freely) in a bounded {@link SourceTable} of {@code maxSources} entries, the least
 * recently seen source evicted first. A datagram over its source's rate is dropped before Californium parses it or
 * allocates an exchange, counted and logged at most once a second on
 * {@code io.estuary.cf.drops}; it is never answered, so a flood with forged source addresses gets nothing back to
 * amplify. Thread-safe (the receiver threads call {@link #admit}).
 */
public final class SourceLimiter {
  private static final Logger DROPS = LoggerFactory.getLogger("io.estuary.cf.drops");

  private final String listener;
  private final Rate rate;
  private final SourceTable<InetAddress, TokenBucket> sources;
  private final Metrics.Counter dropped;
  private final LogThrottle log = LogThrottle.every(1000);
  private final DatagramBudget budget;
  private final UnknownSourceBudget unknown;

  /**
   * {@code rate} per source address ({@link Rate#INFINITY} admits everything and keeps no table); {@code dropped}
   * counts the datagrams left out.
   */
  public SourceLimiter(String listener, Rate rate, int maxSources, Metrics.Counter dropped) {
    this(listener, rate, maxSources, dropped, DatagramBudget.NONE);
  }

  /**
   * As above, and a datagram within its source's rate must also fit the listener-wide {@code budget}
   * ({@code max_datagram_rate}, {@code max_backlog}), which counts its own drops.
   */
  public SourceLimiter(String listener, Rate rate, int maxSources, Metrics.Counter dropped, DatagramBudget budget) {
    this(listener, rate, maxSources, dropped, budget, null);
  }

  /**
   * As above, and a datagram from an address that is not known must first fit the listener's {@code unknown}
   * budget ({@code unknown_datagram_rate}; null: none), checked before anything else so a flood from many addresses
   * neither fills the table of sources nor spends the listener's budget.
   */
  public SourceLimiter(String listener, Rate rate, int maxSources, Metrics.Counter dropped, DatagramBudget budget,
      UnknownSourceBudget unknown) {
    this.budget = budget;
    this.unknown = unknown;
    this.listener = listener;
    this.dropped = dropped;
    this.rate = rate;
    this.sources = new SourceTable<>(maxSources, a -> TokenBucket.of(rate));
  }

  /** Whether a datagram from {@code source} is within its rate; false = drop it (counted). */
  public boolean admit(InetSocketAddress source) {
    return admit(source, false);
  }

  /**
   * As {@link #admit(InetSocketAddress)}; with {@code pause} (the caller reads the socket) the listener-wide
   * {@code max_datagram_rate} parks the caller instead of dropping ({@link DatagramBudget#admit(boolean)}). A source
   * over its own rate is still dropped: pausing the reader for one source would stop every other.
   */
  public boolean admit(InetSocketAddress source, boolean pause) {
    if (unknown != null && !unknown.admit(source)) {
      return false;
    }
    if (rate.isInfinite() || source == null) {
      return budget.admit(pause);
    }
    if (sources.get(source.getAddress()).tryAcquire(1)) {
      // per source first: a source over its own rate does not use up the listener's budget
      return budget.admit(pause);
    }
    dropped.increment();
    long suppressed = log.admit();
    if (suppressed >= 0) {
      DROPS.debug("{}: datagrams from {} over source_datagram_rate {}, dropped{}", listener, source.getAddress(), rate,
          LogThrottle.suffix(suppressed));
    }
    return false;
  }

  /** Sources forgotten because the table was full (a flood from many addresses shows here). */
  public long evictions() {
    return sources.evictions();
  }

  /** Sources tracked now (at most max_sources). */
  public int size() {
    return sources.size();
  }
}
