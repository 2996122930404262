package io.estuary.core.session;

import io.estuary.api.Metrics;
import io.estuary.api.limits.LogThrottle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heap that every session's queue and inflight window hold together, bounded by {@code
 * mqtt.max_mqueue_total_bytes} (issue #13): each session's own caps ({@code max_mqueue_len}, {@code
 * max_mqueue_bytes}) times {@code max_sessions} is far more than a heap, whatever the persistence (with it on,
 * queued messages are on disk and in heap). Each queued or inflight copy holds {@link #OVERHEAD} bytes, and one
 * publish — its payload, topic and {@link #MESSAGE_OVERHEAD} — is held once, by a {@link Charge} its copies share,
 * for as long as any copy is queued or in flight (the figures: {@code bench/queued-message-heap.sh}, BENCHMARKS.md). A QoS 1/2 message sent keeps its share until it is acknowledged. Over the budget a session's queue
 * takes no new message, as if full ({@code messages.dropped{reason=queue_total_full}}). Thread-safe, lock-free.
 */
final class QueueBudget {
  private static final Logger LOG = LoggerFactory.getLogger(QueueBudget.class);
  /** Heap one queued copy holds besides its publish: its queue entry and fields (measured ~85 bytes, rounded up). */
  static final int OVERHEAD = 96;
  /** Heap one publish holds besides its payload and topic bytes: message, payload and string objects (~150 measured). */
  static final int MESSAGE_OVERHEAD = 160;

  private final long max;
  private final LongAdder used = new LongAdder();
  private final Metrics.Counter dropped;
  private final LogThrottle throttle = LogThrottle.every(60_000);

  /** One publish's payload and topic: held once while any of its copies is queued or in flight. Thread-safe. */
  static final class Charge {
    final int size;
    private final AtomicInteger holders = new AtomicInteger();

    /** @param bytes payload and topic bytes ({@link SessionQueue#size}) */
    Charge(int bytes) {
      this.size = bytes + MESSAGE_OVERHEAD;
    }

    /** What one more copy adds: its entry, and the payload if no other copy holds it now. */
    int weight() {
      return OVERHEAD + (holders.get() == 0 ? size : 0);
    }
  }

  /** @param max the budget in bytes, 0 = none */
  QueueBudget(long max, Metrics metrics) {
    this.max = max;
    this.dropped = metrics.counter("messages.dropped", "reason", "queue_total_full");
    metrics.gauge("mqueue.total_bytes", used::sum);
  }

  /** Whether {@code weight} more bytes stay within the budget. */
  boolean admits(int weight) {
    return max <= 0 || used.sum() + weight <= max;
  }

  /** How far {@code weight} more bytes would go over the budget (≤ 0: they fit). */
  long excess(int weight) {
    return max <= 0 ? Long.MIN_VALUE : used.sum() + weight - max;
  }

  /** A copy is queued (or in flight): its entry, and its publish's payload if no other copy held it. */
  void hold(Charge c) {
    used.add(OVERHEAD);
    if (c.holders.getAndIncrement() == 0) {
      used.add(c.size);
    }
  }

  /** A copy left the queue or the inflight window: what {@link #hold} took, the payload with the last copy. */
  void release(Charge c) {
    used.add(-OVERHEAD);
    if (c.holders.decrementAndGet() == 0) {
      used.add(-c.size);
    }
  }

  long used() {
    return used.sum();
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
