package io.estuary.core.store;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * One namespace of the store's key-value area, synchronous: reads may touch the disk. The core uses
 * it directly where blocking is fine (recovery, the broker's alive mark); adapters only ever see it
 * through {@link AsyncKeyValueSpace}, which runs it on the store executor. Thread-safe; writes may be
 * batched but are ordered per key, and a caller always reads its own writes.
 */
public interface KeyValueTable {
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
