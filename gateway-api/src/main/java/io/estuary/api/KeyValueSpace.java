package io.estuary.api;

import java.util.SortedMap;
import java.util.concurrent.CompletionStage;

/**
 * One durable key-value area of an adapter's own state (topic-id tables, tokens, registrations),
 * handed out by {@link GatewayContext#keyValueSpace()}; durable when persistence is on.
 *
 * <p>Threads: every method may be called from any thread and returns at once; nothing runs on the
 * caller's thread. The operations of one space run in call order on the core's store executor (so a
 * {@code get} after a {@code put} sees it, and a {@code deleteAll} then {@code put}s replace a table),
 * and <b>every stage completes on the store executor</b>, never on the caller's thread. Keep dependent
 * actions short; to touch adapter state, continue on your own executor
 * ({@code thenAcceptAsync(action, myExecutor)}). A failed store read or write fails the stage.
 */
public interface KeyValueSpace {

  /** Stores a copy of {@code value} under {@code key}; completes once the store holds it (durably later). */
  CompletionStage<Void> put(String key, byte[] value);

  /** The value under {@code key} (a copy), or null. */
  CompletionStage<byte[]> get(String key);

  /** Removes {@code key} (nothing if absent). */
  CompletionStage<Void> delete(String key);

  /** Every entry whose key starts with {@code prefix} ("" for all), in key order (copies). */
  CompletionStage<SortedMap<String, byte[]>> scan(String prefix);

  /** Removes every entry whose key starts with {@code prefix}; completes with how many there were. */
  CompletionStage<Integer> deleteAll(String prefix);
}
