package io.estuary.testkit;

import io.estuary.api.KeyValueSpace;
import io.estuary.core.store.AsyncKeyValueSpace;
import io.estuary.core.store.KeyValueTable;
import io.estuary.core.store.memory.MemoryStore;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * An in-memory key-value space: the gateway's own facade ({@link AsyncKeyValueSpace}) over a memory
 * table, run on {@code executor}. With {@code Runnable::run} (the default) every stage completes at
 * once on the caller's thread; give a manual executor to check that an adapter waits for the store and
 * hops back to its own thread. {@link #table} is read and seeded synchronously by tests.
 */
public final class MemoryKeyValueSpace implements KeyValueSpace {
  /** The stored entries, synchronous (assertions, seeding). */
  private final KeyValueTable backing = new MemoryStore().keyValueTable("test");
  /** The entries, read and seeded synchronously by tests. */
  public final StoredKeyValues table = new StoredKeyValues(backing);
  private final KeyValueSpace async;

  public MemoryKeyValueSpace() {
    this(Runnable::run);
  }

  public MemoryKeyValueSpace(Executor executor) {
    this.async = new AsyncKeyValueSpace(backing, executor);
  }

  /** Every stored entry in key order (a snapshot). */
  public Map<String, byte[]> entries() {
    return backing.scan("");
  }

  @Override
  public CompletionStage<Void> put(String key, byte[] value) {
    return async.put(key, value);
  }

  @Override
  public CompletionStage<byte[]> get(String key) {
    return async.get(key);
  }

  @Override
  public CompletionStage<Void> delete(String key) {
    return async.delete(key);
  }

  @Override
  public CompletionStage<SortedMap<String, byte[]>> scan(String prefix) {
    return async.scan(prefix);
  }

  @Override
  public CompletionStage<Integer> deleteAll(String prefix) {
    return async.deleteAll(prefix);
  }
}
