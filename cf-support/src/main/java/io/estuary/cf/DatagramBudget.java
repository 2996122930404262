package io.estuary.cf;

import io.estuary.api.Metrics;
import io.estuary.api.limits.LogThrottle;
import io.estuary.api.limits.Rate;
import io.estuary.api.limits.TokenBucket;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one UDP or DTLS listener hands to Californium as a whole, whatever the source: at most {@code max_datagram_rate}
 * datagrams (one token bucket for the listener: a flood from many addresses each under its own
 * {@code source_datagram_rate} still meets it), and none while the protocol stage already has {@code max_backlog}
 * tasks waiting (see {@link BacklogExecutor}). Checked on the receiver thread before Californium parses a datagram or
 * allocates an exchange; a datagram over either is dropped unanswered, counted
 * ({@code datagrams.shed{reason=max_datagram_rate|max_backlog}}) and logged at most once every 10 s. Thread-safe.
 */
public final class DatagramBudget {
  private static final Logger DROPS = LoggerFactory.getLogger("io.estuary.cf.drops");

  /** Admits everything. */
  public static final DatagramBudget NONE = new DatagramBudget("none", Rate.INFINITY, () -> 0, Integer.MAX_VALUE,
      null, null);

  private final String listener;
  private final Rate rate;
  private final TokenBucket bucket;
  private final IntSupplier backlog;
  private final int maxBacklog;
  private final Metrics.Counter overRate;
  private final Metrics.Counter overBacklog;
  private final LogThrottle log = LogThrottle.every(10_000);

  /**
   * {@code rate} for the whole listener ({@link Rate#INFINITY}: no listener-wide rate); {@code backlog} reads the
   * protocol stage's waiting tasks, more than {@code maxBacklog} of which shed datagrams.
   */
  public DatagramBudget(String listener, Rate rate, IntSupplier backlog, int maxBacklog, Metrics.Counter overRate,
      Metrics.Counter overBacklog) {
    if (maxBacklog < 1) {
      throw new IllegalArgumentException("max_backlog must be positive, was " + maxBacklog);
    }
    this.listener = listener;
    this.rate = rate;
    this.bucket = TokenBucket.of(rate);
    this.backlog = backlog;
    this.maxBacklog = maxBacklog;
    this.overRate = overRate;
    this.overBacklog = overBacklog;
  }

  /** Registers the two shed counters of {@code metrics} (the adapter's registry adds the protocol prefix). */
  public static DatagramBudget of(String listener, Rate rate, IntSupplier backlog, int maxBacklog, Metrics metrics) {
    return new DatagramBudget(listener, rate, backlog, maxBacklog,
        metrics.counter("datagrams.shed", "reason", "max_datagram_rate"),
        metrics.counter("datagrams.shed", "reason", "max_backlog"));
  }

  /** Whether the listener takes one more datagram now; false = drop it (counted). */
  public boolean admit() {
    if (backlog.getAsInt() >= maxBacklog) {
      shed(overBacklog, "max_backlog " + maxBacklog + " tasks waiting in the protocol stage");
      return false;
    }
    if (!bucket.tryAcquire(1)) {
      shed(overRate, "max_datagram_rate " + rate);
      return false;
    }
    return true;
  }

  private void shed(Metrics.Counter counter, String why) {
    counter.increment();
    long suppressed = log.admit();
    if (suppressed >= 0) {
      DROPS.warn("{}: over {}, datagrams dropped unanswered{}", listener, why, LogThrottle.suffix(suppressed));
    }
  }
}
