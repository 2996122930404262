package io.estuary.api.limits;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A bounded table of per-source state (a known address's expiry, a peer's message-id tracker, a client id's
 * buckets; per-address rates use {@link AddressRates}, which allocates nothing per new address):
 * at most {@code maxEntries} sources, one evicted when a new source arrives at a full table (counted in {@link
 * #evictions()}), so a flood from millions of addresses costs a fixed amount of memory. Thread-safe (its own monitor).
 *
 * <p>Eviction is CLOCK, an approximation of least recently seen: a lookup only sets a flag in the source's slot, and
 * the eviction hand, walking from the oldest inserted source, gives a source seen since it last passed a second
 * chance (flag cleared, moved behind the newest) and evicts the first one not seen — after at most {@value
 * #SECOND_CHANCES} second chances, the oldest regardless. A source that keeps sending thus stays while a flood's
 * addresses, each seen once, go first. Why not an access-ordered map: moving an entry on every lookup writes three
 * references into long-lived objects per datagram, so each young collection must scan nearly the whole table for
 * pointers into the young generation (issue #13: the flood benchmark's young pauses); a flag is a primitive store.
 *
 * @param <K> the source key (an address)
 * @param <V> the per-source state
 */
public final class SourceTable<K, V> {
  /** Seen sources one eviction may move behind the newest before it evicts the oldest regardless. */
  static final int SECOND_CHANCES = 64;

  /** One source's state and whether it was looked up since the eviction hand last passed it. */
  private static final class Slot<V> {
    final V value;
    boolean seen;

    Slot(V value) {
      this.value = value;
    }
  }

  private final int maxEntries;
  private final Function<K, V> factory;
  private final AtomicLong evictions = new AtomicLong();
  /** Insertion order (the clock's order): a lookup never restructures it. */
  private final LinkedHashMap<K, Slot<V>> entries;

  public SourceTable(int maxEntries, Function<K, V> factory) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be at least 1: " + maxEntries);
    }
    this.maxEntries = maxEntries;
    this.factory = factory;
    this.entries = new LinkedHashMap<>(Math.min(maxEntries, 1024));
  }

  /** The state of {@code source}, created (possibly evicting another source) when absent. */
  public synchronized V get(K source) {
    Slot<V> slot = entries.get(source);
    if (slot != null) {
      if (!slot.seen) {
        slot.seen = true;
      }
      return slot.value;
    }
    if (entries.size() >= maxEntries) {
      evictOne();
    }
    slot = new Slot<>(factory.apply(source));
    entries.put(source, slot);
    return slot.value;
  }

  private void evictOne() {
    for (int chances = 0; ; chances++) {
      Map.Entry<K, Slot<V>> oldest = entries.entrySet().iterator().next();
      K key = oldest.getKey();
      Slot<V> slot = oldest.getValue();
      entries.remove(key);
      if (!slot.seen || chances >= SECOND_CHANCES) {
        evictions.incrementAndGet();
        return;
      }
      slot.seen = false; // its second chance: behind the newest
      entries.put(key, slot);
    }
  }

  /** The state of {@code source} if present, without creating it or counting as a lookup. */
  public synchronized V peek(K source) {
    Slot<V> slot = entries.get(source);
    return slot == null ? null : slot.value;
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
