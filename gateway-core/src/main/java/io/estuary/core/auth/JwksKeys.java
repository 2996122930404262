package io.estuary.core.auth;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys of a JWKS endpoint ({@code authentication.jwt.endpoint}): fetched at start and every
 * {@code refresh_interval} on its own daemon thread, and again — at most once a second — when a token
 * names a key the set does not hold (key rotation). A failed fetch keeps the previous set. Bounded: a
 * response over {@link #MAX_BYTES} or with more than {@link #MAX_KEYS} keys is refused. Thread-safe
 * (one volatile set).
 */
final class JwksKeys implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JwksKeys.class);
  static final int MAX_BYTES = 1 << 20;
  static final int MAX_KEYS = 100;
  private static final long ON_DEMAND_GAP_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final URI endpoint;
  private final HttpClient http;
  private final Duration timeout;
  private final ScheduledExecutorService timer;
  private volatile JWKSet keys = new JWKSet();
  private volatile long lastFetch = System.nanoTime() - ON_DEMAND_GAP_NANOS;

  JwksKeys(URI endpoint, Duration refresh, Duration timeout, HttpClient http) {
    this.endpoint = endpoint;
    this.http = http;
    this.timeout = timeout;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "estuary-jwks");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::fetch, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The keys matching the header (kid, key type, algorithm); fetches the set again when none does. Blocking. */
  List<JWK> select(JWSHeader header) {
    JWKSelector selector = new JWKSelector(JWKMatcher.forJWSHeader(header));
    List<JWK> found = selector.select(keys);
    if (found.isEmpty() && System.nanoTime() - lastFetch >= ON_DEMAND_GAP_NANOS) {
      fetch();
      found = selector.select(keys);
    }
    return found;
  }

  private synchronized void fetch() {
    lastFetch = System.nanoTime();
    try {
      HttpRequest req = HttpRequest.newBuilder(endpoint).timeout(timeout).header("accept", "application/json").GET().build();
      HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
      byte[] body;
      try (InputStream in = r.body()) {
        body = in.readNBytes(MAX_BYTES + 1); // never more than the bound in memory
      }
      if (r.statusCode() != 200) {
        LOG.warn("JWKS {}: HTTP {}, keeping {} keys", endpoint, r.statusCode(), keys.size());
        return;
      }
      if (body.length > MAX_BYTES) {
        LOG.warn("JWKS {}: over {} bytes; keeping {} keys", endpoint, MAX_BYTES, keys.size());
        return;
      }
      JWKSet set = JWKSet.parse(new String(body, StandardCharsets.UTF_8)).toPublicJWKSet();
      if (set.size() > MAX_KEYS) {
        LOG.warn("JWKS {}: {} keys, over {}; keeping {} keys", endpoint, set.size(), MAX_KEYS, keys.size());
        return;
      }
      keys = set;
      LOG.debug("JWKS {}: {} keys", endpoint, set.size());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("JWKS {} failed: {}; keeping {} keys", endpoint, e.toString(), keys.size());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
