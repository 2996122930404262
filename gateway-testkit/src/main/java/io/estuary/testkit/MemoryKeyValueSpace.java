package io.estuary.testkit;

import io.estuary.api.KeyValueSpace;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiConsumer;

/** An in-memory key-value space in key order. */
public final class MemoryKeyValueSpace implements KeyValueSpace {
  public final ConcurrentSkipListMap<String, byte[]> entries = new ConcurrentSkipListMap<>();

  @Override
  public void put(String key, byte[] value) {
    entries.put(key, value.clone());
  }

  @Override
  public byte[] get(String key) {
    return entries.get(key);
  }

  @Override
  public void delete(String key) {
    entries.remove(key);
  }

  @Override
  public void scan(String prefix, BiConsumer<String, byte[]> visitor) {
    for (Map.Entry<String, byte[]> e : entries.tailMap(prefix).entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        break;
      }
      visitor.accept(e.getKey(), e.getValue());
    }
  }
}
