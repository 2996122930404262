package io.estuary.core.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.core.config.PersistenceConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class RocksDbLibraryTest {
  @TempDir Path dir;

  @Test
  void anEarlyLoadOnItsOwnThreadIsWaitedForAndTheStoreOpensAfterIt() {
    RocksDbLibrary.loadInBackground();
    RocksDbLibrary.loadInBackground(); // a second call starts nothing more
    RocksDbLibrary.load(); // waits for the early load, then returns at once
    try (RocksDbStore s = RocksDbStore.open(PersistenceConfig.at(dir))) {
      var kv = s.keyValueTable("ns");
      kv.put("k", new byte[] {1});
      assertThat(kv.get("k")).containsExactly((byte) 1);
    }
  }
}
