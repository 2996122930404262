package io.estuary.core.session;

import io.estuary.api.Metrics;
import io.estuary.api.limits.LogThrottle;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heap that every session's queue and inflight window hold together, bounded by {@code mqtt.max_mqueue_total_bytes} (issue #13):
 * each session's own caps ({@code max_mqueue_len}, {@code max_mqueue_bytes}) times {@code max_sessions} is far more
 * than a heap, whatever the persistence (with it on, queued messages are on disk and in heap). A queued copy weighs
 * {@link #OVERHEAD} plus its share of its message's payload and topic: a message routed to n sessions shares one
 * payload, so each copy is charged a nth of it. A QoS 1/2 message sent keeps its weight until it is acknowledged
 * (a client that never acknowledges holds {@code max_inflight} of them). Over the budget a session's queue takes no
 * new message, as if full ({@code messages.dropped{reason=queue_total_full}}). Thread-safe, lock-free.
 */
final class QueueBudget {
  private static final Logger LOG = LoggerFactory.getLogger(QueueBudget.class);
  /** Bytes one queued copy holds besides its payload and topic: its queue entry, message copy and their fields. */
  static final int OVERHEAD = 120;

  private final long max;
  private final AtomicLong used = new AtomicLong();
  private final Metrics.Counter dropped;
  private final LogThrottle throttle = LogThrottle.every(60_000);

  /** @param max the budget in bytes, 0 = none */
  QueueBudget(long max, Metrics metrics) {
    this.max = max;
    this.dropped = metrics.counter("messages.dropped", "reason", "queue_total_full");
    metrics.gauge("mqueue.total_bytes", used::get);
  }

  /** What a copy of a message of {@code size} payload and topic bytes, routed to {@code copies} sessions, weighs. */
  static int weight(int size, int copies) {
    return OVERHEAD + size / Math.max(1, copies);
  }

  /** Whether {@code weight} more bytes stay within the budget. */
  boolean admits(int weight) {
    return max <= 0 || used.get() + weight <= max;
  }

  void add(long weight) {
    used.addAndGet(weight);
  }

  long used() {
    return used.get();
  }

  /** Counts (and logs, once a minute at most) a message dropped because every queue together is full. */
  void dropped(String clientId) {
    dropped.increment();
    long suppressed = throttle.admit();
    if (suppressed >= 0) {
      LOG.warn("sessions' queues hold mqtt.max_mqueue_total_bytes ({} bytes): a message for {} dropped{}", max,
          clientId, LogThrottle.suffix(suppressed));
    }
  }
}
