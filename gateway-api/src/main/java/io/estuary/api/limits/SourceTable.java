package io.estuary.api.limits;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A bounded table of per-source state (typically a {@link TokenBucket} per remote address on a UDP listener):
 * at most {@code maxEntries} sources, the least recently seen one evicted when a new source arrives at a full
 * table (counted in {@link #evictions()}), so a flood from millions of addresses costs a fixed amount of memory.
 * Thread-safe (its own monitor).
 *
 * @param <K> the source key (an address)
 * @param <V> the per-source state
 */
public final class SourceTable<K, V> {
  private final int maxEntries;
  private final Function<K, V> factory;
  private final AtomicLong evictions = new AtomicLong();
  private final LinkedHashMap<K, V> entries;

  public SourceTable(int maxEntries, Function<K, V> factory) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be at least 1: " + maxEntries);
    }
    this.maxEntries = maxEntries;
    this.factory = factory;
    this.entries = new LinkedHashMap<>(Math.min(maxEntries, 1024), 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        if (size() > SourceTable.this.maxEntries) {
          evictions.incrementAndGet();
          return true;
        }
        return false;
      }
    };
  }

  /** The state of {@code source}, created (possibly evicting the least recently seen source) when absent. */
  public synchronized V get(K source) {
    V v = entries.get(source);
    if (v == null) {
      v = factory.apply(source);
      entries.put(source, v);
    }
    return v;
  }

  /** The state of {@code source} if present, without creating it or touching its recency. */
  public synchronized V peek(K source) {
    return entries.getOrDefault(source, null);
  }

  public synchronized void remove(K source) {
    entries.remove(source);
  }

  public synchronized int size() {
    return entries.size();
  }

  public int maxEntries() {
    return maxEntries;
  }

  /** Sources evicted because the table was full. */
  public long evictions() {
    return evictions.get();
  }
}
