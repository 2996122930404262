package io.estuary.api;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A namespaced key-value area in the store for an adapter's own durable state. Durable when
 * persistence is on. Thread-safe; writes may be batched but are ordered per key.
 */
public interface KeyValueSpace {
  void put(String key, byte[] value);

  byte[] get(String key);

  void delete(String key);

  /** Calls {@code visitor} for every entry whose key starts with {@code prefix}, in key order. */
  void scan(String prefix, BiConsumer<String, byte[]> visitor);

  default Map<String, byte[]> scan(String prefix) {
    Map<String, byte[]> out = new java.util.LinkedHashMap<>();
    scan(prefix, out::put);
    return out;
  }
}
