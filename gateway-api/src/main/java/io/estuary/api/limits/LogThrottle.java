package io.estuary.api.limits;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Rate-limited logging without a logging dependency: {@link #admit()} answers at most once per interval with
 * the number of lines left out since the previous admitted one (so the caller can write "(N similar lines
 * suppressed)"), and -1 for a line to leave out. Lock-free; any thread.
 */
public final class LogThrottle {
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final AtomicLong next;
  private final AtomicLong suppressed = new AtomicLong();

  public LogThrottle(long intervalMillis, LongSupplier nanoTime) {
    this.intervalNanos = intervalMillis * 1_000_000L;
    this.nanoTime = nanoTime;
    this.next = new AtomicLong(nanoTime.getAsLong());
  }

  /** One line per {@code intervalMillis} on the system clock. */
  public static LogThrottle every(long intervalMillis) {
    return new LogThrottle(intervalMillis, System::nanoTime);
  }

  /** The number of lines suppressed before this one if this line is to be written, or -1 to leave it out. */
  public long admit() {
    long now = nanoTime.getAsLong();
    long at = next.get();
    if (now - at >= 0 && next.compareAndSet(at, now + intervalNanos)) {
      return suppressed.getAndSet(0);
    }
    suppressed.incrementAndGet();
    return -1;
  }

  /** " (N similar lines suppressed)" for {@code n > 0}, "" otherwise: the suffix to append to an admitted line. */
  public static String suffix(long n) {
    return n > 0 ? " (" + n + " similar lines suppressed)" : "";
  }
}
