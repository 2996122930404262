package io.estuary.core.session;

import io.estuary.api.ClientInfo;
import io.estuary.api.Message;
import io.estuary.api.SessionOptions;
import io.estuary.core.store.SessionRecord;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a session between its connections: the will (at once, or after its delay — MQTT 5
 * §3.1.3.2.2) and the session's expiry. Confined to the session's executor.
 */
final class SessionExpiry {
  private static final Logger LOG = LoggerFactory.getLogger(SessionExpiry.class);

  private final Session session;
  private final Broker broker;
  private Duration expiry = Duration.ZERO;
  private Duration willDelay = Duration.ZERO;
  /** When the last connection ended (clock millis); 0 while connected. */
  private long disconnectedAt;
  /** A will waiting for its delay to end (or for the session to expire). */
  private Message pendingWill;
  private SessionTimers.Timer willTimer;
  private SessionTimers.Timer expiryTimer;

  SessionExpiry(Session session, Broker broker) {
    this.session = session;
    this.broker = broker;
  }

  /** Whether the session outlives its connection. */
  boolean persistent() {
    return !expiry.isZero();
  }

  long expirySeconds() {
    return expiry.toSeconds();
  }

  long willDelaySeconds() {
    return willDelay.toSeconds();
  }

  long disconnectedAt() {
    return disconnectedAt;
  }

  Message pendingWill() {
    return pendingWill;
  }

  /** Whether a will whose delay is {@code delay} waits for it: only in a persistent session (MQTT 5 §3.1.3.2.2). */
  boolean delays(Duration delay) {
    return persistent() && !delay.isZero();
  }

  /** A connection attached: timers stop, a pending will is cancelled, the new options apply. */
  void attached(SessionOptions requested) {
    cancelTimers();
    pendingWill = null;
    disconnectedAt = 0;
    Duration max = broker.limits.maxSessionExpiry();
    expiry = requested.sessionExpiry().compareTo(max) > 0 ? max : requested.sessionExpiry();
    willDelay = requested.willDelay();
  }

  /**
   * The connection ended: its will (if the reason publishes it) goes out now, or after the will delay
   * in a persistent session; a persistent session starts to expire.
   */
  void connectionEnded(Message will, ClientInfo from, boolean publishesWill) {
    if (publishesWill && will != null) {
      if (!delays(willDelay)) {
        publishWill(will, from);
      } else {
        pendingWill = will;
        long delay = Math.min(willDelay.toMillis(), expiry.toMillis());
        willTimer = broker.timers.schedule(() -> session.actor.execute(this::willDelayElapsed), delay);
      }
    }
    if (persistent()) {
      disconnectedAt = broker.clock.millis();
    }
  }

  /** Rebuilds from a stored record (at start); a session that was connected when the process died lost its connection then. */
  void restore(SessionRecord r) {
    expiry = Duration.ofSeconds(r.expiryIntervalSeconds());
    willDelay = Duration.ofSeconds(r.willDelaySeconds());
    if (r.disconnectedAtMillis() == 0) {
      // the process died while the client was connected: that connection ended abnormally, no later
      // than the last "alive" mark the process wrote (expiry runs from then, within ALIVE_INTERVAL)
      long alive = broker.previousAliveMillis();
      long now = broker.clock.millis();
      disconnectedAt = alive > 0 ? Math.min(alive, now) : now;
      if (r.will() != null) {
        pendingWill = r.will();
        willDelayElapsed();
      }
    } else {
      disconnectedAt = r.disconnectedAtMillis();
    }
  }

  private void willDelayElapsed() {
    if (pendingWill != null && session.connection() == null) {
      publishWill(pendingWill, session.client());
      pendingWill = null;
    }
  }

  void publishWill(Message will, ClientInfo from) {
    if (!broker.router.publishWill(from, will)) {
      LOG.debug("will of {} on {} refused (topic limits or ACL)", session.clientId, will.topic());
    }
  }

  void scheduleExpiry() {
    long deadline = disconnectedAt + expiry.toMillis();
    long delay = Math.max(0, deadline - broker.clock.millis());
    expiryTimer = broker.timers.schedule(() -> session.actor.execute(this::expireIfDue), delay);
  }

  private void expireIfDue() {
    if (session.connection() != null || session.discarded() || broker.clock.millis() < disconnectedAt + expiry.toMillis()) {
      return;
    }
    if (pendingWill != null) {
      publishWill(pendingWill, session.client()); // the will delay ends with the session (MQTT 5 §3.1.3.2.2)
      pendingWill = null;
    }
    LOG.debug("session {} expired", session.clientId);
    session.discard();
    broker.events.sessionExpired(session.clientId);
  }

  void cancelTimers() {
    if (willTimer != null) {
      willTimer.cancel();
      willTimer = null;
    }
    if (expiryTimer != null) {
      expiryTimer.cancel();
      expiryTimer = null;
    }
  }
}
