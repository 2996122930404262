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
 * @param memoryMaxBytes with persistence off: cap on what the in-memory store holds (queued messages, retained,
 *     session records, adapters' key-value spaces), refused past it as {@code maxBytes} is; 0 = none
 */
public record PersistenceConfig(boolean enabled, Path dir, Sync sync, Duration syncInterval, long maxBytes,
    long maxPendingWrites, long maxPendingBytes, long memoryMaxBytes) {
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
    if (memoryMaxBytes < 0) {
      throw new ConfigError("persistence.memory_max_bytes", String.valueOf(memoryMaxBytes), "a size >= 0 (0 = no cap)");
    }
  }

  /** Without a memory-store cap. */
  public PersistenceConfig(boolean enabled, Path dir, Sync sync, Duration syncInterval, long maxBytes,
      long maxPendingWrites, long maxPendingBytes) {
    this(enabled, dir, sync, syncInterval, maxBytes, maxPendingWrites, maxPendingBytes, 0);
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
    return new PersistenceConfig(enabled, dir, s, syncInterval, maxBytes, maxPendingWrites, maxPendingBytes,
        memoryMaxBytes);
  }

  public PersistenceConfig withMaxBytes(long bytes) {
    return new PersistenceConfig(enabled, dir, sync, syncInterval, bytes, maxPendingWrites, maxPendingBytes,
        memoryMaxBytes);
  }

  public PersistenceConfig withMaxPendingWrites(long writes, long bytes) {
    return new PersistenceConfig(enabled, dir, sync, syncInterval, maxBytes, writes, bytes, memoryMaxBytes);
  }

  /**
   * A size key that may also be a share of a whole ({@code "50%"}): of the data directory's file system for
   * {@code max_bytes}, of the JVM's maximum heap for {@code memory_max_bytes}. Rounded down; "0%" = 0 (no cap).
   *
   * @param whole the size the share is of, asked only for a share
   */
  public static long sizeOrShare(String key, String value, java.util.function.LongUnaryOperator bytesOf,
      java.util.function.LongSupplier whole) {
    String v = value.trim();
    if (!v.endsWith("%")) {
      return bytesOf.applyAsLong(0);
    }
    double pct;
    try {
      pct = Double.parseDouble(v.substring(0, v.length() - 1).trim());
    } catch (NumberFormatException e) {
      throw new ConfigError(key, value, "a size (\"10GB\", 0 = no cap) or a share such as \"50%\"");
    }
    if (!(pct >= 0 && pct <= 100)) {
      throw new ConfigError(key, value, "a share from 0% to 100%");
    }
    return (long) (whole.getAsLong() * (pct / 100.0));
  }

  /** The total size of the file system {@code dir} is on (or would be: its nearest existing ancestor's). */
  public static long fileSystemTotal(Path dir) {
    Path p = dir.toAbsolutePath();
    while (p != null && !java.nio.file.Files.exists(p)) {
      p = p.getParent();
    }
    try {
      return p == null ? 0 : java.nio.file.Files.getFileStore(p).getTotalSpace();
    } catch (java.io.IOException e) {
      throw new ConfigError("persistence.max_bytes", "a share of " + dir, "a readable file system (" + e.getMessage() + ")");
    }
  }
}
