package io.estuary.api.limits;

import java.util.function.LongSupplier;

/**
 * A token bucket: refills at a {@link Rate}, holds at most {@code burst} tokens (one period's worth by default)
 * and starts full. {@link #tryAcquire} is for what is dropped or refused when over the rate (datagrams,
 * connections); {@link #take} is for what is paused (a TCP reader): it always takes, may go into debt and tells
 * how long the caller should stop reading until the debt is paid. Thread-safe (its own monitor; a bucket
 * belongs to one listener or one client, so the lock is rarely contended).
 */
public final class TokenBucket {
  private final double tokensPerNano;
  private final double burst;
  private final LongSupplier nanoTime;
  private final boolean unlimited;
  private double tokens;
  private long last;

  public TokenBucket(Rate rate, LongSupplier nanoTime) {
    this(rate, rate.isInfinite() ? 0 : rate.amount(), nanoTime);
  }

  public TokenBucket(Rate rate, long burst, LongSupplier nanoTime) {
    this.unlimited = rate.isInfinite();
    this.tokensPerNano = unlimited ? 0 : (double) rate.amount() / rate.period().toNanos();
    this.burst = Math.max(1, burst);
    this.nanoTime = nanoTime;
    this.tokens = this.burst;
    this.last = nanoTime.getAsLong();
  }

  /** A bucket on {@link System#nanoTime()}. */
  public static TokenBucket of(Rate rate) {
    return new TokenBucket(rate, System::nanoTime);
  }

  public boolean unlimited() {
    return unlimited;
  }

  /** Takes {@code n} tokens if there are that many; false (nothing taken) when over the rate. */
  public synchronized boolean tryAcquire(long n) {
    if (unlimited) {
      return true;
    }
    refill();
    if (tokens >= n) {
      tokens -= n;
      return true;
    }
    return false;
  }

  /**
   * Takes {@code n} tokens, going into debt if needed; returns the nanoseconds until the bucket is out of debt
   * (0 when it never went in): the time a reader should pause.
   */
  public synchronized long take(long n) {
    if (unlimited) {
      return 0;
    }
    refill();
    tokens -= n;
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / tokensPerNano);
  }

  /** The tokens available now (for tests and metrics). */
  public synchronized double available() {
    if (unlimited) {
      return Double.POSITIVE_INFINITY;
    }
    refill();
    return tokens;
  }

  private void refill() {
    long now = nanoTime.getAsLong();
    long elapsed = now - last;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * tokensPerNano);
      last = now;
    }
  }
}
