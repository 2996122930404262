package io.estuary.mqttsn.channel;

import io.estuary.core.api.KeyValueSpace;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * One client's normal topic ids (MQTT-SN 1.2 §6.5, §6.10): names registered by the client (REGISTER),
 * by SUBSCRIBE with an exact name, or by the gateway before a delivery. Ids are 1..0xFFFE and shared by
 * both directions. For a persistent session the table is mirrored into a {@link KeyValueSpace}, so
 * that a client resuming its session after a gateway restart keeps its ids. Owned by the channel's
 * thread.
 */
final class TopicRegistry {
  static final int MAX_ID = 0xFFFE;

  private final Map<String, Integer> ids = new HashMap<>();
  private final Map<Integer, String> names = new HashMap<>();
  private int next = 1;
  private volatile Map<String, Integer> snapshot = Map.of();
  private KeyValueSpace kv;
  private String prefix;

  /**
   * Mirrors the table into {@code space} under the client's keys; with {@code resume} the stored ids
   * are loaded when the table is empty (a gateway restart), otherwise they are deleted.
   */
  void persistTo(KeyValueSpace space, String clientId, boolean resume) {
    kv = space;
    prefix = clientId.length() + ":" + clientId + ":"; // length-prefixed: no client id is a prefix of another's keys
    if (!resume) {
      kv.scan(prefix).keySet().forEach(kv::delete);
      return;
    }
    if (ids.isEmpty()) {
      kv.scan(prefix).forEach((key, value) -> {
        try {
          int id = Integer.parseInt(key.substring(prefix.length()));
          String name = new String(value, StandardCharsets.UTF_8);
          ids.put(name, id);
          names.put(id, name);
        } catch (NumberFormatException e) {
          kv.delete(key);
        }
      });
      snapshot = Map.copyOf(ids);
    } else { // the channel kept its table across a re-CONNECT: the store follows it
      kv.scan(prefix).keySet().forEach(kv::delete);
      ids.forEach((name, id) -> kv.put(prefix + id, name.getBytes(StandardCharsets.UTF_8)));
    }
  }

  /** Stops mirroring (a clean session). */
  void detach() {
    kv = null;
  }

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
    if (kv != null) {
      kv.put(prefix + allocated, name.getBytes(StandardCharsets.UTF_8));
    }
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
      if (kv != null) {
        kv.delete(prefix + id);
      }
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
