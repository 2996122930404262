package io.estuary.core.config;

import java.nio.file.Path;
import java.time.Duration;

/** {@code persistence.*}: where and how durably the store writes. */
public record PersistenceConfig(boolean enabled, Path dir, Sync sync, Duration syncInterval) {
  /** always: fsync before acknowledging; interval: fsync every syncInterval; never: leave it to the OS. */
  public enum Sync { ALWAYS, INTERVAL, NEVER }
}
