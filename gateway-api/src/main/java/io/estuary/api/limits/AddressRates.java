package io.estuary.api.limits;

import java.net.InetAddress;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Token buckets per source IP address for a UDP listener ({@code source_datagram_rate}, {@code source_conn_rate}),
 * in a table of fixed capacity whose memory is allocated once, when it is created: at most {@code capacity}
 * addresses, a new one at a full table taking the place of one not seen lately (CLOCK, as {@link SourceTable}).
 *
 * <p>Why not a {@link SourceTable} of {@link TokenBucket}s: every new address there costs ~250 bytes of objects (the
 * bucket objects, the table's slot and map entry, the address key) that live as long as the address stays in the
 * table, so the collector copies them out of the young generation — in a flood from tens of thousands of new
 * addresses, ~25 MB in its first seconds (issue #13: the flood benchmark's first-window pauses), and without end
 * once the flood has more addresses than the table holds. Here an address is two {@code long}s in an array and each
 * bucket a {@code double} and a {@code long}: a new address or an eviction allocates nothing. Memory: about
 * {@code capacity × (30 + 16 × buckets)} bytes from the start (100,000 addresses with two buckets: ~6 MB).
 *
 * <p>Each bucket holds at most one period of its rate and starts full, as {@link TokenBucket}. IPv4 addresses are
 * kept in their IPv4-mapped IPv6 form, so a host is one entry whichever way it is written. Thread-safe (its own
 * monitor).
 */
public final class AddressRates {
  /** Seen addresses one eviction may pass over before it evicts regardless (as {@link SourceTable}). */
  static final int SECOND_CHANCES = 64;
  private static final long V4_MAPPED = 0x0000_ffff_0000_0000L;

  private final int capacity;
  private final int kinds;
  private final boolean[] unlimited;
  private final double[] perNano;
  private final double[] burst;
  private final LongSupplier nanoTime;
  /** Per slot: the address (128 bits) and whether it was looked up since the clock hand last passed it. */
  private final long[] hi;
  private final long[] lo;
  private final boolean[] seen;
  /** Per slot and kind ({@code slot * kinds + kind}): tokens and the time they were last refilled. */
  private final double[] tokens;
  private final long[] last;
  /** Open addressing (linear probing) from an address's hash to its slot + 1; 0 = empty. */
  private final int[] index;
  private final int mask;
  private int size;
  private int hand;
  private long evictions;

  /** A table of {@code capacity} addresses with one bucket per rate in {@code rates}, on {@code nanoTime}. */
  public AddressRates(int capacity, List<Rate> rates, LongSupplier nanoTime) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    if (rates.isEmpty()) {
      throw new IllegalArgumentException("at least one rate");
    }
    this.capacity = capacity;
    this.kinds = rates.size();
    this.nanoTime = nanoTime;
    unlimited = new boolean[kinds];
    perNano = new double[kinds];
    burst = new double[kinds];
    for (int k = 0; k < kinds; k++) {
      Rate r = rates.get(k);
      unlimited[k] = r.isInfinite();
      perNano[k] = unlimited[k] ? 0 : (double) r.amount() / r.period().toNanos();
      burst[k] = unlimited[k] ? 0 : Math.max(1, r.amount());
    }
    hi = new long[capacity];
    lo = new long[capacity];
    seen = new boolean[capacity];
    tokens = new double[capacity * kinds];
    last = new long[capacity * kinds];
    int slots = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) << 1; // a power of two >= 2 x capacity
    index = new int[slots];
    mask = slots - 1;
  }

  /** Takes {@code n} tokens from {@code source}'s bucket {@code kind} (its rate's position) if it has that many. */
  public synchronized boolean tryAcquire(InetAddress source, int kind, long n) {
    byte[] a = source.getAddress();
    long h;
    long l;
    if (a.length == 4) {
      h = 0;
      l = V4_MAPPED | (a[0] & 0xffL) << 24 | (a[1] & 0xffL) << 16 | (a[2] & 0xffL) << 8 | (a[3] & 0xffL);
    } else {
      h = word(a, 0);
      l = word(a, 8);
    }
    long now = nanoTime.getAsLong();
    int slot = find(h, l);
    if (slot < 0) {
      slot = insert(h, l, now);
    } else if (!seen[slot]) {
      seen[slot] = true;
    }
    if (unlimited[kind]) {
      return true;
    }
    int b = slot * kinds + kind;
    long elapsed = now - last[b];
    if (elapsed > 0) {
      tokens[b] = Math.min(burst[kind], tokens[b] + elapsed * perNano[kind]);
      last[b] = now;
    }
    if (tokens[b] >= n) {
      tokens[b] -= n;
      return true;
    }
    return false;
  }

  /** Addresses held now (at most the capacity). */
  public synchronized int size() {
    return size;
  }

  /** Addresses forgotten to make room for a new one. */
  public synchronized long evictions() {
    return evictions;
  }

  public int capacity() {
    return capacity;
  }

  /** Whether the index and the slots agree (every held address found at its slot, nothing else indexed): tests. */
  synchronized boolean consistent() {
    int indexed = 0;
    for (int e : index) {
      indexed += e != 0 ? 1 : 0;
    }
    for (int s = 0; s < size; s++) {
      if (find(hi[s], lo[s]) != s) {
        return false;
      }
    }
    return indexed == size;
  }

  private static long word(byte[] a, int from) {
    long w = 0;
    for (int i = from; i < from + 8; i++) {
      w = w << 8 | (a[i] & 0xffL);
    }
    return w;
  }

  private int home(long h, long l) {
    long x = (l ^ Long.rotateLeft(h, 29)) * 0x9E37_79B9_7F4A_7C15L;
    return (int) (x ^ x >>> 32) & mask;
  }

  /** The slot holding the address, or -1. */
  private int find(long h, long l) {
    for (int i = home(h, l); ; i = (i + 1) & mask) {
      int s = index[i] - 1;
      if (s < 0) {
        return -1;
      }
      if (lo[s] == l && hi[s] == h) {
        return s;
      }
    }
  }

  /** Puts a new address in a free slot, or in the place of the one the clock hand evicts; its buckets full. */
  private int insert(long h, long l, long now) {
    int slot;
    if (size < capacity) {
      slot = size++;
    } else {
      slot = victim();
      unlink(slot);
      evictions++;
    }
    hi[slot] = h;
    lo[slot] = l;
    seen[slot] = false;
    for (int k = 0; k < kinds; k++) {
      tokens[slot * kinds + k] = burst[k];
      last[slot * kinds + k] = now;
    }
    int i = home(h, l);
    while (index[i] != 0) {
      i = (i + 1) & mask;
    }
    index[i] = slot + 1;
    return slot;
  }

  /** CLOCK: the first slot from the hand not seen since the hand last passed it (at most SECOND_CHANCES passes). */
  private int victim() {
    for (int chances = 0; ; chances++) {
      int s = hand;
      hand = hand + 1 == capacity ? 0 : hand + 1;
      if (!seen[s] || chances >= SECOND_CHANCES) {
        return s;
      }
      seen[s] = false;
    }
  }

  /** Removes {@code slot}'s entry from the index, shifting back the entries that probed past it. */
  private void unlink(int slot) {
    int i = home(hi[slot], lo[slot]);
    while (index[i] != slot + 1) {
      i = (i + 1) & mask;
    }
    for (int j = (i + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
      int s = index[j] - 1;
      int k = home(hi[s], lo[s]);
      // the entry at j may move to i when its home is not cyclically within (i, j]
      boolean stays = i <= j ? i < k && k <= j : i < k || k <= j;
      if (!stays) {
        index[i] = index[j];
        i = j;
      }
    }
    index[i] = 0;
  }
}
