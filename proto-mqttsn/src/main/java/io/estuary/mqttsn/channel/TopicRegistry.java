package io.estuary.mqttsn.channel;

import java.util.HashMap;
import java.util.Map;

/**
 * One client's normal topic ids (MQTT-SN 1.2 §6.5, §6.10): names registered by the client (REGISTER),
 * by SUBSCRIBE with an exact name, or by the gateway before a delivery. Ids are 1..0xFFFE and shared by
 * both directions. Owned by the channel's thread.
 */
final class TopicRegistry {
  static final int MAX_ID = 0xFFFE;

  private final Map<String, Integer> ids = new HashMap<>();
  private final Map<Integer, String> names = new HashMap<>();
  private int next = 1;
  private volatile Map<String, Integer> snapshot = Map.of();

  /** The id of {@code name}, allocating one if needed; -1 when all ids are taken. */
  int idFor(String name) {
    Integer id = ids.get(name);
    if (id != null) {
      return id;
    }
    if (names.size() >= MAX_ID) {
      return -1;
    }
    while (names.containsKey(next)) {
      next = next >= MAX_ID ? 1 : next + 1;
    }
    int allocated = next;
    next = next >= MAX_ID ? 1 : next + 1;
    ids.put(name, allocated);
    names.put(allocated, name);
    snapshot = Map.copyOf(ids);
    return allocated;
  }

  /** The id of {@code name} or -1, without allocating. */
  int idOf(String name) {
    Integer id = ids.get(name);
    return id == null ? -1 : id;
  }

  /** The name of {@code id}, or null. */
  String name(int id) {
    return names.get(id);
  }

  void remove(String name) {
    Integer id = ids.remove(name);
    if (id != null) {
      names.remove(id);
      snapshot = Map.copyOf(ids);
    }
  }

  void clear() {
    ids.clear();
    names.clear();
    next = 1;
    snapshot = Map.of();
  }

  int size() {
    return ids.size();
  }

  /** A copy for listings, readable from any thread. */
  Map<String, Integer> snapshot() {
    return snapshot;
  }
}
