package io.estuary.cf;

import io.estuary.api.KeyValueSpace;
import io.estuary.api.Metrics;
import io.estuary.api.limits.LogThrottle;
import java.util.SortedMap;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A key-value space whose failed writes ({@code put}, {@code delete}, {@code deleteAll}) are counted and logged at
 * most once per {@code LOG_INTERVAL_MS} with the number of lines left out. The CoAP and LwM2M adapters write their
 * state through it fire-and-forget: when the store refuses (a full {@code persistence.max_bytes}, a busy writer, a
 * failing disk: issue #13) every write fails, and one WARN per write would flood the log. The stage returned is the
 * store's own, so callers still see the failure. Thread-safe (the counter and the throttle are).
 */
public final class WatchedKeyValueSpace implements KeyValueSpace {
  /** The store logs its own refusals once per 10 s; ours match. */
  static final long LOG_INTERVAL_MS = 10_000;
  private static final Logger LOG = LoggerFactory.getLogger(WatchedKeyValueSpace.class);

  private final KeyValueSpace kv;
  private final String what;
  private final Metrics.Counter failures;
  private final LogThrottle log;

  /**
   * @param what names the data in the log line ("CoAP connection", "LwM2M")
   * @param failures counts each failed write ({@code <protocol>.store.write_failures})
   */
  public WatchedKeyValueSpace(KeyValueSpace kv, String what, Metrics.Counter failures, LogThrottle log) {
    this.kv = kv;
    this.what = what;
    this.failures = failures;
    this.log = log;
  }

  /** Wraps {@code kv}; failures counted as {@code store.write_failures} in {@code metrics} (the adapter's). */
  public static WatchedKeyValueSpace of(KeyValueSpace kv, String what, Metrics metrics) {
    return new WatchedKeyValueSpace(kv, what, metrics.counter("store.write_failures"), LogThrottle.every(LOG_INTERVAL_MS));
  }

  @Override
  public CompletionStage<Void> put(String key, byte[] value) {
    return watched(kv.put(key, value));
  }

  @Override
  public CompletionStage<byte[]> get(String key) {
    return kv.get(key);
  }

  @Override
  public CompletionStage<Void> delete(String key) {
    return watched(kv.delete(key));
  }

  @Override
  public CompletionStage<SortedMap<String, byte[]>> scan(String prefix) {
    return kv.scan(prefix);
  }

  @Override
  public CompletionStage<Integer> deleteAll(String prefix) {
    return watched(kv.deleteAll(prefix));
  }

  private <T> CompletionStage<T> watched(CompletionStage<T> write) {
    write.whenComplete((v, e) -> {
      if (e != null) {
        failures.increment();
        long suppressed = log.admit();
        if (suppressed >= 0) {
          LOG.warn("{} store write failed (the in-memory state stays; a restart would miss it): {}{}", what, e,
              LogThrottle.suffix(suppressed));
        }
      }
    });
    return write;
  }
}
