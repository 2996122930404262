package io.estuary.mqttsn.channel;

import java.util.HashMap;
import java.util.Map;

/**
 * One client's normal topic ids (MQTT-SN 1.2 §6.5, §6.10): names registered by the client (REGISTER),
 * by SUBSCRIBE with an exact name, or by the gateway before a delivery. Ids are 1..0xFFFE and shared by
 * both directions. For a persistent session every change is mirrored into a {@link TopicIdStore} (off
 * the event loop), so that a client resuming its session after a gateway restart keeps its ids. Owned
 * by the channel's thread; {@link #snapshot()} is readable from any thread.
 */
final class TopicRegistry {
  static final int MAX_ID = 0xFFFE;

  // name → id and id → name; created on the first id, since most clients of a large fleet have none
  private Map<String, Integer> ids;
  private Map<Integer, String> names;
  private int next = 1;
  private volatile Map<String, Integer> snapshot = Map.of();
  private TopicIdStore store;
  private String clientId;

  /** Mirrors further changes into {@code store} under {@code clientId}'s keys. */
  void attach(TopicIdStore store, String clientId) {
    this.store = store;
    this.clientId = clientId;
  }

  /** Stops mirroring (a clean session). */
  void detach() {
    store = null;
  }

  /** Takes over ids read from the store (a resumed session after a gateway restart). */
  void load(Map<Integer, String> stored) {
    clear();
    stored.forEach((id, name) -> {
      if (id >= 1 && id <= MAX_ID) {
        put(name, id);
      }
    });
    snapshot = ids == null ? Map.of() : Map.copyOf(ids);
  }

  /** A copy of the table (name → id). */
  Map<String, Integer> table() {
    return ids == null ? Map.of() : Map.copyOf(ids);
  }

  /** The id of {@code name}, allocating one if needed; -1 when all ids are taken. */
  int idFor(String name) {
    Integer id = ids == null ? null : ids.get(name);
    if (id != null) {
      return id;
    }
    if (size() >= MAX_ID) {
      return -1;
    }
    while (names != null && names.containsKey(next)) {
      next = next >= MAX_ID ? 1 : next + 1;
    }
    int allocated = next;
    next = next >= MAX_ID ? 1 : next + 1;
    put(name, allocated);
    snapshot = Map.copyOf(ids);
    if (store != null) {
      store.put(clientId, allocated, name);
    }
    return allocated;
  }

  private void put(String name, int id) {
    if (ids == null) {
      ids = new HashMap<>(4);
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
      snapshot = Map.copyOf(ids);
      if (store != null) {
        store.delete(clientId, id);
      }
    }
  }

  void clear() {
    ids = null;
    names = null;
    next = 1;
    snapshot = Map.of();
  }

  int size() {
    return ids == null ? 0 : ids.size();
  }

  /** A copy for listings, readable from any thread. */
  Map<String, Integer> snapshot() {
    return snapshot;
  }
}
