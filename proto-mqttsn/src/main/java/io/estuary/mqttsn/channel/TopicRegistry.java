package io.estuary.mqttsn.channel;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One client's normal topic ids (MQTT-SN 1.2 §6.5, §6.10): names registered by the client (REGISTER),
 * by SUBSCRIBE with an exact name, or by the gateway before a delivery. Ids are 1..0xFFFE and shared by
 * both directions. For a persistent session every change is mirrored into a {@link TopicIdStore} (off
 * the event loop), so that a client resuming its session after a gateway restart keeps its ids. A client
 * holds at most {@code max_topic_ids} ids. Owned by the channel's thread; {@link #snapshot()} is readable
 * from any thread: the name → id map is concurrent, so a new id costs O(1) and only a listing copies it.
 */
final class TopicRegistry {
  static final int MAX_ID = 0xFFFE;

  private final int maxIds;
  // name → id and id → name; created on the first id, since most clients of a large fleet have none
  private volatile Map<String, Integer> ids;
  private Map<Integer, String> names;
  private int next = 1;
  /**
   * While set (a client that has not proved its address, issue #13), the first id allocated after a clear starts
   * at a random place, so that using it in a PUBLISH proves the client received our REGACK/SUBACK/REGISTER.
   */
  private java.util.function.IntUnaryOperator random;
  private boolean fresh = true;
  private TopicIdStore store;
  private String clientId;

  TopicRegistry(int maxIds) {
    this.maxIds = Math.min(MAX_ID, maxIds);
  }

  /** Mirrors further changes into {@code store} under {@code clientId}'s keys. */
  void attach(TopicIdStore store, String clientId) {
    this.store = store;
    this.clientId = clientId;
  }

  /** The stored ids expire at {@code epochMillis} unless the client connects again (a persistent session). */
  void expiresAt(long epochMillis) {
    if (store != null) {
      store.expiresAt(clientId, epochMillis);
    }
  }

  /** Deletes what the store holds for the client and stops mirroring (a discarded half-open session). */
  void forget() {
    if (store != null) {
      store.forget(clientId);
      store = null;
    }
  }

  /** Stops mirroring (a clean session). */
  void detach() {
    store = null;
  }

  /** Takes over ids read from the store (a resumed session after a gateway restart). */
  void load(Map<Integer, String> stored) {
    clear();
    stored.forEach((id, name) -> {
      if (id >= 1 && id <= MAX_ID && size() < maxIds) { // stored under a larger max_topic_ids: the rest is lost
        put(name, id);
      }
    });
  }

  /** A copy of the table (name → id). */
  Map<String, Integer> table() {
    return ids == null ? Map.of() : Map.copyOf(ids);
  }

  /** The id of {@code name}, allocating one if needed; -1 when the client holds max_topic_ids ids. */
  int idFor(String name) {
    Integer id = ids == null ? null : ids.get(name);
    if (id != null) {
      return id;
    }
    if (size() >= maxIds) {
      return -1;
    }
    if (fresh && random != null) {
      next = 1 + random.applyAsInt(MAX_ID);
    }
    fresh = false;
    while (names != null && names.containsKey(next)) {
      next = next >= MAX_ID ? 1 : next + 1;
    }
    int allocated = next;
    next = next >= MAX_ID ? 1 : next + 1;
    put(name, allocated);
    if (store != null) {
      store.put(clientId, allocated, name);
    }
    return allocated;
  }

  private void put(String name, int id) {
    if (ids == null) {
      ids = new ConcurrentHashMap<>(4);
      names = new HashMap<>(4);
    }
    ids.put(name, id);
    names.put(id, name);
  }

  /** The id of {@code name} or -1, without allocating. */
  int idOf(String name) {
    Integer id = ids == null ? null : ids.get(name);
    return id == null ? -1 : id;
  }

  /** The name of {@code id}, or null. */
  String name(int id) {
    return names == null ? null : names.get(id);
  }

  void remove(String name) {
    Integer id = ids == null ? null : ids.remove(name);
    if (id != null) {
      names.remove(id);
      if (store != null) {
        store.delete(clientId, id);
      }
    }
  }

  void clear() {
    ids = null;
    names = null;
    next = 1;
    fresh = true;
  }

  /**
   * Ids allocated from now on start at a place drawn by {@code random} (bound → 0..bound-1) instead of 1, or at 1
   * again with null; taken at the first allocation after a clear (ids already held keep their values).
   */
  void randomise(java.util.function.IntUnaryOperator random) {
    this.random = random;
  }

  int size() {
    return ids == null ? 0 : ids.size();
  }

  /** A copy for listings, readable from any thread. */
  Map<String, Integer> snapshot() {
    Map<String, Integer> m = ids;
    return m == null ? Map.of() : Map.copyOf(m);
  }

  /** For listings, from any thread: at most {@code limit} ids, the lowest first (name → id). */
  Map<String, Integer> snapshot(int limit) {
    Map<String, Integer> m = ids;
    if (m == null || m.isEmpty()) {
      return Map.of();
    }
    Map<String, Integer> out = new java.util.LinkedHashMap<>();
    m.entrySet().stream().sorted(Map.Entry.comparingByValue()).limit(limit)
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return java.util.Collections.unmodifiableMap(out);
  }

  /** How many normal ids the client holds, from any thread. */
  int count() {
    Map<String, Integer> m = ids;
    return m == null ? 0 : m.size();
  }
}
