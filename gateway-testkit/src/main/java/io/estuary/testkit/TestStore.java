package io.estuary.testkit;

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

  /** The stored key-value namespace (e.g. {@code mqttsn-topic-ids}), read synchronously, to check what an adapter persisted. */
  public StoredKeyValues storedKeyValues(String namespace) {
    return new StoredKeyValues(store.keyValueTable(namespace));
  }

  /**
   * The RocksDB store under {@code dir}, as a gateway with {@code persistence.dir = dir} opens it: to write
   * what an earlier version stored, or read what an adapter left, while no gateway holds the directory.
   */
  public static TestStore rocksDb(java.nio.file.Path dir) {
    return new TestStore(io.estuary.core.store.rocksdb.RocksDbStore.open(io.estuary.core.config.PersistenceConfig.at(dir)));
  }

  Store store() {
    return store;
  }

  @Override
  public void close() {
    store.close();
  }
}
