package io.estuary.uplink.buffer;

/**
 * Catch-up after an outage: tracks whether the uplink is draining the backlog built up while the
 * upstream was unreachable and, with {@code catchup_rate}, caps the forward rate meanwhile so a
 * reconnecting gateway does not flood the upstream broker. Catch-up starts at each (re)connect and
 * ends with whichever comes first: the first delivery created after it (the session queue is FIFO,
 * so everything behind it is live traffic), or {@link #drained()} (the session queue is empty and
 * nothing taken from it waits to be sent). A token bucket holding at most one second of messages;
 * a rate of 0 never limits. Confined to the uplink's executor.
 */
public final class CatchupLimiter {
  private final double rate;
  private double tokens;
  private long lastNanos;
  private boolean catchingUp;
  private long sinceMillis;

  public CatchupLimiter(double messagesPerSecond) {
    if (messagesPerSecond < 0) {
      throw new IllegalArgumentException("rate must be >= 0, was " + messagesPerSecond);
    }
    this.rate = messagesPerSecond;
  }

  /** The link came up at {@code nowMillis} (wall clock, as message creation times). */
  public void reconnected(long nowMillis, long nowNanos) {
    catchingUp = true;
    sinceMillis = nowMillis;
    tokens = Math.min(tokens, 1);
    lastNanos = nowNanos;
  }

  /** A delivery arrived; live traffic ends catch-up. */
  public void observed(long createdAtMillis) {
    if (catchingUp && createdAtMillis >= sinceMillis) {
      catchingUp = false;
    }
  }

  /** The backlog is gone (nothing queued, nothing unsent): catch-up ends even without live traffic. */
  public void drained() {
    catchingUp = false;
  }

  /** Draining the backlog queued before the last (re)connect. */
  public boolean catchingUp() {
    return catchingUp;
  }

  /** Whether the rate cap applies now (catching up with a non-zero rate). */
  public boolean limiting() {
    return catchingUp && rate > 0;
  }

  /** How many messages may go out now. */
  public int budget(long nowNanos) {
    if (!limiting()) {
      return Integer.MAX_VALUE;
    }
    double elapsed = (nowNanos - lastNanos) / 1e9;
    lastNanos = nowNanos;
    tokens = Math.min(Math.max(rate, 1), tokens + elapsed * rate);
    return (int) tokens;
  }

  public void consumed(int n) {
    if (limiting()) {
      tokens -= n;
    }
  }

  /** Nanoseconds until the next token, for scheduling a retry after {@link #budget} returned 0. */
  public long nanosUntilNext() {
    double missing = Math.max(0, 1 - tokens);
    return Math.max(1_000_000L, (long) (missing / rate * 1e9));
  }
}
