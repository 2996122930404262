package io.estuary.cf;

import io.estuary.api.Metrics;
import io.estuary.api.limits.LogThrottle;
import io.estuary.api.limits.Rate;
import io.estuary.api.limits.TokenBucket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one UDP or DTLS listener hands to Californium as a whole, whatever the source: at most {@code max_datagram_rate}
 * datagrams (one token bucket for the listener: a flood from many addresses each under its own
 * {@code source_datagram_rate} still meets it), and none while the protocol stage already has {@code max_backlog}
 * tasks waiting (see {@link BacklogExecutor}). Checked on the receiver thread before Californium parses a datagram or
 * allocates an exchange; a datagram over either is dropped unanswered, counted
 * ({@code datagrams.shed{reason=max_datagram_rate|max_backlog}}) and logged at most once every 10 s.
 *
 * <p>A plain UDP receiver thread instead <em>pauses</em> over the rate ({@link #admit(boolean)} with {@code true}):
 * it is parked for the time the bucket needs to pay for the datagram it has just read, which then passes. While it is
 * parked nothing reads the socket, so the excess waits in the socket's receive buffer and, once that is full, the
 * kernel drops it (Udp RcvbufErrors) at no cost to the gateway: the listener reads about {@code max_datagram_rate}
 * datagrams per second however hard it is flooded. Pauses are counted ({@code listener_paused}). Thread-safe.
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
  private final Metrics.Counter paused;
  private final Metrics.Counter admitted;
  private final LogThrottle log = LogThrottle.every(10_000);

  /**
   * {@code rate} for the whole listener ({@link Rate#INFINITY}: no listener-wide rate); {@code backlog} reads the
   * protocol stage's waiting tasks, more than {@code maxBacklog} of which shed datagrams.
   */
  public DatagramBudget(String listener, Rate rate, IntSupplier backlog, int maxBacklog, Metrics.Counter overRate,
      Metrics.Counter overBacklog) {
    this(listener, rate, backlog, maxBacklog, overRate, overBacklog, null, null);
  }

  /**
   * As above; {@code paused} counts the receiver pauses of {@link #admit(boolean)}, {@code admitted} the datagrams
   * handed on (null: not counted).
   */
  public DatagramBudget(String listener, Rate rate, IntSupplier backlog, int maxBacklog, Metrics.Counter overRate,
      Metrics.Counter overBacklog, Metrics.Counter paused, Metrics.Counter admitted) {
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
    this.paused = paused;
    this.admitted = admitted;
  }

  /**
   * Registers the two shed counters, {@code listener_paused} and {@code datagrams.admitted} of {@code metrics} (the
   * adapter's registry adds the protocol prefix).
   */
  public static DatagramBudget of(String listener, Rate rate, IntSupplier backlog, int maxBacklog, Metrics metrics) {
    return new DatagramBudget(listener, rate, backlog, maxBacklog,
        metrics.counter("datagrams.shed", "reason", "max_datagram_rate"),
        metrics.counter("datagrams.shed", "reason", "max_backlog"), metrics.counter("listener_paused"),
        metrics.counter("datagrams.admitted"));
  }

  /** Whether the listener takes one more datagram now; false = drop it (counted). */
  public boolean admit() {
    return admit(false);
  }

  /**
   * As {@link #admit()}; with {@code pause} (the caller is the thread that reads the socket, nothing else waits on
   * it) a datagram over the rate is not dropped: the caller is parked until the bucket has paid for it, then it
   * passes. False also when the caller was interrupted while parked (the connector is stopping).
   */
  public boolean admit(boolean pause) {
    boolean ok = decide(pause);
    if (ok && admitted != null) {
      admitted.increment();
    }
    return ok;
  }

  private boolean decide(boolean pause) {
    if (backlog.getAsInt() >= maxBacklog) {
      shed(overBacklog, "max_backlog " + maxBacklog + " tasks waiting in the protocol stage");
      return false;
    }
    if (pause && !rate.isInfinite()) {
      long nanos = bucket.take(1);
      return nanos <= 0 || pause(nanos);
    }
    if (!bucket.tryAcquire(1)) {
      shed(overRate, "max_datagram_rate " + rate);
      return false;
    }
    return true;
  }

  private boolean pause(long nanos) {
    if (paused != null) {
      paused.increment();
    }
    long suppressed = log.admit();
    if (suppressed >= 0) {
      DROPS.warn("{}: over max_datagram_rate {}, receiver paused (the kernel drops the excess){}", listener, rate,
          LogThrottle.suffix(suppressed));
    }
    long deadline = System.nanoTime() + nanos;
    for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
      if (Thread.currentThread().isInterrupted()) {
        return false;
      }
      LockSupport.parkNanos(this, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
    }
    return !Thread.currentThread().isInterrupted();
  }

  private void shed(Metrics.Counter counter, String why) {
    counter.increment();
    long suppressed = log.admit();
    if (suppressed >= 0) {
      DROPS.warn("{}: over {}, datagrams dropped unanswered{}", listener, why, LogThrottle.suffix(suppressed));
    }
  }
}
