package io.estuary.coap;

import io.estuary.api.Metrics;

/** The adapter's counters ({@code coap.*}: the context adds the prefix). Thread-safe. */
public final class CoapMetrics {
  /** Requests answered with a 4.xx because of bad input. */
  public final Metrics.Counter drops;
  /** Deliveries dropped because the client's notification queue was full. */
  public final Metrics.Counter notificationsDropped;
  /** Confirmable notifications that timed out; each cancels its observe relation. */
  public final Metrics.Counter notificationTimeouts;
  public final Metrics.Counter notificationsSent;
  public final Metrics.Counter published;
  /** Sessions closed because their heartbeat lapsed. */
  public final Metrics.Counter heartbeatTimeouts;

  public CoapMetrics(Metrics m) {
    drops = m.counter("drops");
    notificationsDropped = m.counter("notifications.dropped");
    notificationTimeouts = m.counter("notifications.timeouts");
    notificationsSent = m.counter("notifications.sent");
    published = m.counter("published");
    heartbeatTimeouts = m.counter("heartbeat.timeouts");
  }
}
