package io.estuary.core.auth;

import io.estuary.api.AuthResult;
import io.estuary.api.ClientCredentials;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Answers of slow sources (bcrypt, PBKDF2, HTTP) for the same username, client id, protocol and password,
 * for {@code authentication.cache.ttl}, at most {@code max_size} entries (least recently used go first).
 * Keys hold a SHA-256 of the password, never the password. Thread-safe (one lock; entries are small).
 */
final class AuthCache {
  private record Entry(AuthResult result, long expiresAt) {}

  private final long ttlMillis;
  private final int maxSize;
  private final Clock clock;
  private final LinkedHashMap<String, Entry> entries;

  AuthCache(Duration ttl, int maxSize, Clock clock) {
    this.ttlMillis = ttl.toMillis();
    this.maxSize = maxSize;
    this.clock = clock;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > AuthCache.this.maxSize;
      }
    };
  }

  boolean enabled() {
    return ttlMillis > 0 && maxSize > 0;
  }

  static String key(ClientCredentials c) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(String.valueOf(c.username()).getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(String.valueOf(c.clientId()).getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(String.valueOf(c.protocol()).getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(String.valueOf(c.certificateSubject()).getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      if (c.password() != null) {
        md.update(c.password());
      }
      return Base64.getEncoder().encodeToString(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  synchronized AuthResult get(String key) {
    Entry e = entries.get(key);
    if (e == null) {
      return null;
    }
    if (clock.millis() >= e.expiresAt()) {
      entries.remove(key);
      return null;
    }
    return e.result();
  }

  synchronized void put(String key, AuthResult r) {
    entries.put(key, new Entry(r, clock.millis() + ttlMillis));
  }

  synchronized int size() {
    return entries.size();
  }

  synchronized void clear() {
    entries.clear();
  }
}
