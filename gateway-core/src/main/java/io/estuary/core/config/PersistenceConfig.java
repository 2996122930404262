package io.estuary.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * {@code persistence.*}: where and how durably the store writes (docs/persistence.md).
 *
 * @param maxBytes cap on the store's live data, 0 = none; past it new messages for persistent sessions are dropped
 */
public record PersistenceConfig(boolean enabled, Path dir, Sync sync, Duration syncInterval, long maxBytes) {
  /**
   * always: a batch is fsynced before anything in it is acknowledged; interval: acknowledged once
   * written to the OS, fsync every syncInterval; never: acknowledged once written to the OS, fsync left to it.
   */
  public enum Sync { ALWAYS, INTERVAL, NEVER }

  public PersistenceConfig {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(sync, "sync");
    if (syncInterval == null || syncInterval.isNegative() || syncInterval.isZero()) {
      throw new ConfigError("persistence.sync_interval", String.valueOf(syncInterval), "a positive duration");
    }
    if (maxBytes < 0) {
      throw new ConfigError("persistence.max_bytes", String.valueOf(maxBytes), "a size >= 0 (0 = no cap)");
    }
  }

  /** Persistence on, in {@code dir}, with the shipped defaults (interval sync every 100ms, no cap). */
  public static PersistenceConfig at(Path dir) {
    return new PersistenceConfig(true, dir, Sync.INTERVAL, Duration.ofMillis(100), 0);
  }

  public PersistenceConfig withSync(Sync s) {
    return new PersistenceConfig(enabled, dir, s, syncInterval, maxBytes);
  }

  public PersistenceConfig withMaxBytes(long bytes) {
    return new PersistenceConfig(enabled, dir, sync, syncInterval, bytes);
  }
}
