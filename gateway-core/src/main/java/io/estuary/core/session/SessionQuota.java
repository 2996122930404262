package io.estuary.core.session;

import io.estuary.api.ClientInfo;
import io.estuary.api.limits.LogThrottle;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mqtt.max_sessions}: the slots for device sessions (connected or persistent and offline). A slot is
 * taken when a new session enters the broker's registry and given back when it leaves it, so the count is
 * exact under concurrent CONNECTs (no check-then-act on the registry's size). Sessions of adapters' own
 * {@code $}-ids ({@code $uplink/<name>}, {@code $<protocol>/…}) are exempt: the operator's configuration
 * creates them, a device cannot, and refusing one would break a bridge — they take no slot. Thread-safe.
 */
final class SessionQuota {
  private static final Logger LOG = LoggerFactory.getLogger(SessionQuota.class);

  private final int max;
  private final AtomicInteger used = new AtomicInteger();
  private final LogThrottle log = LogThrottle.every(CoreLimits.LOG_INTERVAL_MILLIS);

  /** @param max the cap; 0 = unbounded */
  SessionQuota(int max) {
    this.max = max;
  }

  /** Whether {@code clientId} is an adapter's own (IdentityRules keeps devices from {@code $} ids). */
  static boolean exempt(String clientId) {
    return clientId.startsWith("$");
  }

  /** Takes a slot for a new session; false when all are taken. */
  boolean tryAcquire() {
    while (true) {
      int n = used.get();
      if (max > 0 && n >= max) {
        return false;
      }
      if (used.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** A session restored from the store takes its slot even beyond the cap. */
  void restored() {
    used.incrementAndGet();
  }

  void release() {
    used.decrementAndGet();
  }

  int used() {
    return used.get();
  }

  /** Logs a refusal at WARN, at most once a minute (the counter is the broker's {@code sessions.refused}). */
  void refused(ClientInfo client) {
    long suppressed = log.admit();
    if (suppressed >= 0) {
      LOG.warn("new session {} ({} from {}) refused: mqtt.max_sessions ({}) reached{}", client.clientId(), client.protocol(),
          client.peer(), max, LogThrottle.suffix(suppressed));
    }
  }
}
