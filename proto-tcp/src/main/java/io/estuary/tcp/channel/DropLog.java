package io.estuary.tcp.channel;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code io.estuary.tcp.drops} log, rate-limited: at most one line per interval (INFO), with the number of
 * lines left out since the previous one, so a device flooding garbage cannot flood the log. Every line also
 * goes to DEBUG. Thread-safe.
 */
public final class DropLog {
  private static final Logger LOG = LoggerFactory.getLogger("io.estuary.tcp.drops");

  private final Clock clock;
  private final long intervalMillis;
  private final AtomicLong next = new AtomicLong();
  private final AtomicLong suppressed = new AtomicLong();

  public DropLog(Clock clock, long intervalMillis) {
    this.clock = clock;
    this.intervalMillis = intervalMillis;
  }

  /** {@code listener clientId peer: what}. */
  public void log(String listener, String clientId, Object peer, String what) {
    LOG.debug("{} {} {}: {}", listener, clientId, peer, what);
    long now = clock.millis();
    long at = next.get();
    if (now >= at && next.compareAndSet(at, now + intervalMillis)) {
      long left = suppressed.getAndSet(0);
      LOG.info("{} {} {}: {}{}", listener, clientId, peer, what, left == 0 ? "" : " (" + left + " similar lines suppressed)");
    } else {
      suppressed.incrementAndGet();
    }
  }
}
