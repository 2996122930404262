package io.estuary.cf;

import io.estuary.api.Metrics;
import io.estuary.api.limits.AddressRates;
import io.estuary.api.limits.LogThrottle;
import io.estuary.api.limits.Rate;
import java.net.InetSocketAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-source-address datagram rate of one UDP listener: a token bucket per remote IP address (not per port: a
 * spoofing host varies ports freely) in an {@link AddressRates} table of {@code maxSources} entries allocated when the
 * listener starts, one not seen lately evicted first (CLOCK; a new source or an eviction allocates nothing). A datagram
 * over its source's rate is dropped before Californium parses it or allocates an exchange, counted and logged at most
 * once a second on {@code io.estuary.cf.drops}; it is never answered, so a flood with forged source addresses gets
 * nothing back to amplify. Thread-safe (the receiver threads call {@link #admit}).
 */
public final class SourceLimiter {
  private static final Logger DROPS = LoggerFactory.getLogger("io.estuary.cf.drops");

  private final String listener;
  private final Rate rate;
  /** Null when the rate is infinite. */
  private final AddressRates sources;
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
    this.sources = rate.isInfinite() ? null : new AddressRates(maxSources, List.of(rate), System::nanoTime);
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
    if (sources == null || source == null) {
      return budget.admit(pause);
    }
    if (sources.tryAcquire(source.getAddress(), 0, 1)) {
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
    return sources == null ? 0 : sources.evictions();
  }

  /** Sources tracked now (at most max_sources). */
  public int size() {
    return sources == null ? 0 : sources.size();
  }
}
