package io.estuary.testkit;

import io.estuary.core.store.KeyValueTable;
import java.util.Map;

/**
 * One stored key-value namespace, read and written synchronously by a test: to seed what an earlier
 * version stored, or check what an adapter persisted. Adapters see the same data through their
 * asynchronous {@code KeyValueSpace}. Thread-safe.
 */
public final class StoredKeyValues {
  private final KeyValueTable table;

  StoredKeyValues(KeyValueTable table) {
    this.table = table;
  }

  public void put(String key, byte[] value) {
    table.put(key, value);
  }

  /** The value under {@code key}, or null. */
  public byte[] get(String key) {
    return table.get(key);
  }

  public void delete(String key) {
    table.delete(key);
  }

  /** Every entry whose key starts with {@code prefix}, in key order. */
  public Map<String, byte[]> scan(String prefix) {
    return table.scan(prefix);
  }
}
