package io.estuary.core.webhooks;

import io.estuary.api.hooks.Verdict;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * vmq_webhooks' cache: an {@code ok} answer of an auth_on_* endpoint, kept for the {@code max-age} of its
 * {@code cache-control} header, per endpoint, hook and request body; at most {@code maxSize} entries (least
 * recently used go first). Thread-safe (one lock).
 */
final class WebhookCache {
  private record Entry(Verdict<?> verdict, long expiresAt) {}

  private final int maxSize;
  private final Clock clock;
  private final LinkedHashMap<String, Entry> entries;

  WebhookCache(int maxSize, Clock clock) {
    this.maxSize = maxSize;
    this.clock = clock;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > WebhookCache.this.maxSize;
      }
    };
  }

  /** Seconds of {@code max-age=N} in a cache-control header; 0 when absent or unreadable. */
  static long maxAge(String cacheControl) {
    if (cacheControl == null) {
      return 0;
    }
    for (String part : cacheControl.toLowerCase(Locale.ROOT).split(",")) {
      String p = part.strip();
      if (p.startsWith("max-age=")) {
        try {
          return Math.max(0, Long.parseLong(p.substring(8).strip()));
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }

  synchronized Verdict<?> get(String key) {
    Entry e = entries.get(key);
    if (e == null) {
      return null;
    }
    if (clock.millis() >= e.expiresAt()) {
      entries.remove(key);
      return null;
    }
    return e.verdict();
  }

  synchronized void put(String key, Verdict<?> v, long maxAgeSeconds) {
    if (maxSize > 0) {
      entries.put(key, new Entry(v, clock.millis() + maxAgeSeconds * 1000));
    }
  }

  synchronized int size() {
    return entries.size();
  }

  synchronized void clear() {
    entries.clear();
  }
}
