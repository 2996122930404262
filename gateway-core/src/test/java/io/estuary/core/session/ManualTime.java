package io.estuary.core.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A clock that moves only when the test says so, and the session timers that run by it: {@link #advance}
 * runs every timer that has come due, in due order, on the test's thread. (gateway-core cannot use the
 * testkit's MutableClock: the testkit depends on gateway-core.)
 */
final class ManualTime extends Clock implements SessionTimers {
  private record Scheduled(long due, long order, Runnable task, boolean[] cancelled) {}

  private long millis;
  private long order;
  private final List<Scheduled> timers = new ArrayList<>();

  ManualTime(Instant start) {
    this.millis = start.toEpochMilli();
  }

  /** Moves the clock forward and runs the timers due by then. */
  void advance(Duration d) {
    long target = millis + d.toMillis();
    while (true) {
      Scheduled next = timers.stream().filter(t -> t.due() <= target && !t.cancelled()[0])
          .min(Comparator.comparingLong(Scheduled::due).thenComparingLong(Scheduled::order)).orElse(null);
      if (next == null) {
        break;
      }
      timers.remove(next);
      millis = Math.max(millis, next.due());
      next.task().run();
    }
    millis = target;
    timers.removeIf(t -> t.cancelled()[0]);
  }

  /** Timers scheduled and neither run nor cancelled. */
  int pendingTimers() {
    return (int) timers.stream().filter(t -> !t.cancelled()[0]).count();
  }

  @Override
  public Timer schedule(Runnable task, long delayMillis) {
    boolean[] cancelled = {false};
    timers.add(new Scheduled(millis + delayMillis, order++, task, cancelled));
    return () -> cancelled[0] = true;
  }

  @Override
  public long millis() {
    return millis;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException();
  }
}
