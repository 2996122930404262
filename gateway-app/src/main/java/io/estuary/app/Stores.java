package io.estuary.app;

import io.estuary.core.config.GatewayConfig;
import io.estuary.core.server.Gateway;
import io.estuary.core.store.Store;
import java.util.function.Function;

/**
 * Picks the store implementation from {@code persistence.*}: RocksDB in {@code persistence.dir} when
 * enabled (the default), memory otherwise. A directory another process holds fails the start with a
 * {@code ConfigError} naming {@code persistence.dir} (exit code 2).
 */
final class Stores {
  private Stores() {}

  /** When persistence is on, starts loading RocksDB's native library on its own thread (start-up, issue #19). */
  static void prepare(GatewayConfig config) {
    if (config.persistence().enabled()) {
      io.estuary.core.store.rocksdb.RocksDbLibrary.loadInBackground();
    }
  }

  static Function<GatewayConfig, Store> forConfig() {
    return Gateway::defaultStore;
  }
}
