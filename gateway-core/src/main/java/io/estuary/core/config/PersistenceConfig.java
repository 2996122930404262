package io.estuary.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * {@code persistence.*}: where and how durably the store writes, and its bounds (docs/persistence.md).
 *
 * @param maxBytes cap on the store's live data, 0 = none; past it new persistent work (QoS 1/2 publishes
 *     that would be stored, new persistent sessions, retained messages, adapters' key-value puts) is refused
 * @param maxPendingWrites writes queued for the store's writer thread past which new persistent work is
 *     refused as "busy", 0 = none
 * @param maxPendingBytes the same bound in bytes (keys + values queued), 0 = none
 */
public record PersistenceConfig(boolean enabled, Path dir, Sync sync, Duration syncInterval, long maxBytes,
    long maxPendingWrites, long maxPendingBytes) {
  /** The shipped {@code persistence.max_pending_writes}. */
  public static final long DEFAULT_MAX_PENDING_WRITES = 100_000;
  /** The shipped {@code persistence.max_pending_bytes} (256 MiB). */
  public static final long DEFAULT_MAX_PENDING_BYTES = 256L << 20;

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
    if (maxPendingWrites < 0) {
      throw new ConfigError("persistence.max_pending_writes", String.valueOf(maxPendingWrites), "a count >= 0 (0 = no cap)");
    }
    if (maxPendingBytes < 0) {
      throw new ConfigError("persistence.max_pending_bytes", String.valueOf(maxPendingBytes), "a size >= 0 (0 = no cap)");
    }
  }

  /** With the shipped writer-queue bounds. */
  public PersistenceConfig(boolean enabled, Path dir, Sync sync, Duration syncInterval, long maxBytes) {
    this(enabled, dir, sync, syncInterval, maxBytes, DEFAULT_MAX_PENDING_WRITES, DEFAULT_MAX_PENDING_BYTES);
  }

  /** Persistence on, in {@code dir}, with the shipped defaults (interval sync every 100ms, no size cap). */
  public static PersistenceConfig at(Path dir) {
    return new PersistenceConfig(true, dir, Sync.INTERVAL, Duration.ofMillis(100), 0);
  }

  public PersistenceConfig withSync(Sync s) {
    return new PersistenceConfig(enabled, dir, s, syncInterval, maxBytes, maxPendingWrites, maxPendingBytes);
  }

  public PersistenceConfig withMaxBytes(long bytes) {
    return new PersistenceConfig(enabled, dir, sync, syncInterval, bytes, maxPendingWrites, maxPendingBytes);
  }

  public PersistenceConfig withMaxPendingWrites(long writes, long bytes) {
    return new PersistenceConfig(enabled, dir, sync, syncInterval, maxBytes, writes, bytes);
  }
}
