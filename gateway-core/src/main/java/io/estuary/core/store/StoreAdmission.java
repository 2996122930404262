package io.estuary.core.store;

import io.estuary.api.Metrics;
import io.estuary.api.limits.LogThrottle;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts and logs a store's refusals of new persistent work (issue #13, docs/persistence.md "Limits"):
 * {@code store.refused{reason, work}} for every refusal, one warning line per 10 s at most. The store
 * decides the reason ({@link Store#refusal()}); this class only keeps the books. Thread-safe, lock-free.
 */
public final class StoreAdmission {
  private static final Logger LOG = LoggerFactory.getLogger(StoreAdmission.class);

  /** Over {@code persistence.max_bytes}. */
  public static final String MAX_BYTES = "max_bytes";
  /** The writer's queue is over {@code persistence.max_pending_writes} or {@code max_pending_bytes}. */
  public static final String BUSY = "busy";
  /** The last store write failed (full or failing disk); cleared by the next write that succeeds. */
  public static final String WRITE_ERROR = "write_error";
  private static final String[] REASONS = {MAX_BYTES, BUSY, WRITE_ERROR};

  /** What new persistent work was refused. */
  public enum Work {
    /** A QoS 1/2 publish that would be stored (a persistent subscriber's copy, retained, a QoS 2 marker). */
    PUBLISH,
    /** A new persistent session (or a clean start of one). */
    SESSION,
    /** A retained message of a QoS 0 publish (the publish itself is still routed). */
    RETAINED,
    /** An adapter's key-value put (MQTT-SN topic ids, CoAP connections, LwM2M registrations...). */
    KV;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Supplier<String> refusal;
  private final AtomicLong[][] refused = new AtomicLong[REASONS.length][Work.values().length];
  private final LogThrottle throttle = LogThrottle.every(10_000);

  /** @param refusal the store's current refusal reason, null when it admits work */
  public StoreAdmission(Supplier<String> refusal) {
    this.refusal = refusal;
    for (AtomicLong[] row : refused) {
      for (int i = 0; i < row.length; i++) {
        row[i] = new AtomicLong();
      }
    }
  }

  /** True when the store admits {@code work} now; else counts and logs the refusal and returns false. */
  public boolean admit(Work work) {
    String why = refusal.get();
    if (why == null) {
      return true;
    }
    int r = reasonIndex(why);
    refused[r][work.ordinal()].incrementAndGet();
    long suppressed = throttle.admit();
    if (suppressed >= 0) {
      LOG.warn("store refuses new persistent work ({}): {} refused; QoS 0 and clean sessions go on{}", why,
          work.tag(), LogThrottle.suffix(suppressed));
    }
    return false;
  }

  /** Counts admitted work whose write failed and which was then answered as refused. */
  public void writeFailed(Work work) {
    refused[reasonIndex(WRITE_ERROR)][work.ordinal()].incrementAndGet();
  }

  /** Refusals so far for {@code reason} and {@code work}. */
  public long refused(String reason, Work work) {
    return refused[reasonIndex(reason)][work.ordinal()].get();
  }

  /** Registers {@code store.refused{reason, work}} (every combination, so dashboards see zeros). */
  public void registerMetrics(Metrics metrics) {
    for (int r = 0; r < REASONS.length; r++) {
      for (Work w : Work.values()) {
        AtomicLong n = refused[r][w.ordinal()];
        metrics.monotonic("store.refused", n::get, "reason", REASONS[r], "work", w.tag());
      }
    }
  }

  private static int reasonIndex(String reason) {
    for (int i = 0; i < REASONS.length; i++) {
      if (REASONS[i].equals(reason)) {
        return i;
      }
    }
    throw new IllegalArgumentException("unknown refusal reason " + reason);
  }
}
