package io.estuary.cf;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.network.KeyMID;
import org.eclipse.californium.core.network.deduplication.Deduplicator;

/**
 * Californium's duplicate-detection store (RFC 7252 §4.5) with a hard cap on entries: one entry per received
 * request's (peer, MID), kept {@code exchange_lifetime} in arrival order; when {@code maxEntries} are held, the
 * oldest is evicted to make room (counted by {@link DedupCap}). Californium's own stores bound entries per peer
 * at best, never the number of peers, so a flood from fresh address:port pairs grew them without limit.
 *
 * <p>An evicted entry is forgotten early: a retransmission of that request arriving after the eviction is
 * processed again (for CON: answered anew, not from the cache). CoAP allows that only for idempotent methods (GET,
 * PUT, DELETE); a POST may then act twice. With the default cap that needs more than {@code maxEntries} requests
 * within one retransmission window (~93 s at most, RFC 7252 MAX_TRANSMIT_SPAN).
 *
 * <p>Thread-safe: Californium's protocol-stage threads and the sweep (on Californium's secondary executor) take
 * this object's monitor; every operation is O(1) but the sweep, which removes expired entries from the oldest on
 * and stops at the first live one.
 */
public final class CappedDeduplicator implements Deduplicator {
  private final int maxEntries;
  private final long lifetimeNanos;
  private final long sweepMillis;
  private final boolean autoReplace;
  private final DedupCap stats;
  private final LongSupplier nanoClock;
  private final LinkedHashMap<KeyMID, Entry> entries = new LinkedHashMap<>();
  private ScheduledExecutorService executor;
  private ScheduledFuture<?> sweep;

  private record Entry(Exchange exchange, long nanos) {}

  CappedDeduplicator(int maxEntries, long lifetimeMillis, long sweepMillis, boolean autoReplace, DedupCap stats,
      LongSupplier nanoClock) {
    if (maxEntries <= 0) {
      throw new IllegalArgumentException("max_dedup_entries must be positive, was " + maxEntries);
    }
    this.maxEntries = maxEntries;
    this.lifetimeNanos = TimeUnit.MILLISECONDS.toNanos(lifetimeMillis);
    this.sweepMillis = sweepMillis;
    this.autoReplace = autoReplace;
    this.stats = stats;
    this.nanoClock = nanoClock;
  }

  @Override
  public synchronized void start() {
    if (sweep == null && executor != null) {
      sweep = executor.scheduleWithFixedDelay(this::sweep, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public synchronized void stop() {
    if (sweep != null) {
      sweep.cancel(false);
      sweep = null;
    }
    clear();
  }

  @Override
  public synchronized void setExecutor(ScheduledExecutorService executor) {
    this.executor = executor;
  }

  /**
   * The exchange already recorded for {@code key}, or null after recording {@code exchange} (evicting the oldest
   * entry when full). As Californium's sweep stores do with DEDUPLICATOR_AUTO_REPLACE, an entry of the other
   * origin (a MID our own outgoing request used) is replaced and null returned.
   */
  @Override
  public synchronized Exchange findPrevious(KeyMID key, Exchange exchange) {
    Entry previous = entries.get(key);
    if (previous != null && !(autoReplace && previous.exchange.getOrigin() != exchange.getOrigin())) {
      return previous.exchange;
    }
    put(key, exchange, previous != null);
    return null;
  }

  @Override
  public synchronized boolean replacePrevious(KeyMID key, Exchange previous, Exchange exchange) {
    Entry current = entries.get(key);
    if (current != null && current.exchange != previous) {
      return false;
    }
    put(key, exchange, current != null);
    return true;
  }

  @Override
  public synchronized Exchange find(KeyMID key) {
    Entry e = entries.get(key);
    return e == null ? null : e.exchange;
  }

  @Override
  public synchronized boolean isEmpty() {
    return entries.isEmpty();
  }

  @Override
  public synchronized int size() {
    return entries.size();
  }

  @Override
  public synchronized void clear() {
    stats.removed(entries.size());
    entries.clear();
  }

  /** Removes the entries older than the exchange lifetime; returns how many. */
  synchronized int sweep() {
    long oldestAllowed = nanoClock.getAsLong() - lifetimeNanos;
    int removed = 0;
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      if (it.next().nanos - oldestAllowed >= 0) {
        break; // arrival order: every later entry is younger
      }
      it.remove();
      removed++;
    }
    stats.removed(removed);
    return removed;
  }

  private void put(KeyMID key, Exchange exchange, boolean replacing) {
    if (replacing) {
      entries.remove(key); // re-inserted at the young end with its new time
    } else if (entries.size() >= maxEntries) {
      Iterator<Map.Entry<KeyMID, Entry>> oldest = entries.entrySet().iterator();
      oldest.next();
      oldest.remove();
      stats.evicted();
    } else {
      stats.added();
    }
    entries.put(key, new Entry(exchange, nanoClock.getAsLong()));
  }
}
