package io.estuary.testkit;

import io.estuary.api.KeyValueSpace;
import io.estuary.core.store.Store;
import io.estuary.core.store.memory.MemoryStore;

/**
 * A store a test keeps across restarts of its {@link TestGateway}s ({@link TestGateway.Builder#store(TestStore)}):
 * each gateway uses it without closing it, the test closes it. For a RocksDB store that survives restarts use
 * {@link TestGateway.Builder#persistence(java.nio.file.Path)} instead.
 */
public final class TestStore implements AutoCloseable {
  private final Store store;

  private TestStore(Store store) {
    this.store = store;
  }

  /** The in-memory store: durable across gateway restarts in one test, gone with the JVM. */
  public static TestStore inMemory() {
    return new TestStore(new MemoryStore());
  }

  /** The key-value space {@code namespace} as adapters see it, to check what an adapter persisted. */
  public KeyValueSpace keyValueSpace(String namespace) {
    return store.keyValueSpace(namespace);
  }

  Store store() {
    return store;
  }

  @Override
  public void close() {
    store.close();
  }
}
