package io.estuary.uplink.client;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Reconnect delays: {@code min · 2^attempt}, capped at {@code max}, then jittered down by up to half
 * (never below {@code min}) so that many gateways cut off by one outage do not reconnect in step.
 */
public record Backoff(Duration min, Duration max) {
  public Backoff {
    Objects.requireNonNull(min, "min");
    Objects.requireNonNull(max, "max");
    if (min.isNegative() || min.isZero()) {
      throw new IllegalArgumentException("min must be > 0, was " + min);
    }
    if (max.compareTo(min) < 0) {
      throw new IllegalArgumentException("max must be >= min, was " + max);
    }
  }

  /** The delay before attempt {@code attempt} (0 = the first retry). */
  public Duration delay(int attempt, DoubleSupplier random) {
    long minMs = min.toMillis();
    long maxMs = max.toMillis();
    int shift = Math.min(Math.max(attempt, 0), 30);
    long base = minMs > (maxMs >> shift) ? maxMs : Math.min(maxMs, minMs << shift);
    long jittered = base - (long) (random.getAsDouble() * (base / 2.0));
    return Duration.ofMillis(Math.max(minMs, jittered));
  }
}
