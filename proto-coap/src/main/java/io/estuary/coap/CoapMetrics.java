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

  /** New devices refused because their listener held max_connections devices (5.03). */
  public final Metrics.Counter connectionsRefused;
  /** New devices refused because their listener was over max_conn_rate (5.03). */
  public final Metrics.Counter connectionsRateLimited;
  /** Datagrams dropped unanswered because their source address was over source_datagram_rate. */
  public final Metrics.Counter datagramsDropped;
  /** Requests refused because their topic was over max_topic_length or max_topic_levels (4.00). */
  public final Metrics.Counter topicsRefused;
  /** Observe requests refused because the device held max_observations relations (5.03). */
  public final Metrics.Counter observationsRefused;
  /** Publishes refused because their client was over messages_rate or bytes_rate (5.03). */
  public final Metrics.Counter publishesRateLimited;
  /** NON notifications sent as CON because the device had not been heard from for max_unanswered_notifications. */
  public final Metrics.Counter notificationsChecked;
  /** Connectionless observer devices closed because their address never proved it receives (half_open_timeout). */
  public final Metrics.Counter halfOpenTimeouts;
  /** Connectionless observer devices whose address answered (a ping's RST, an acknowledged notification). */
  public final Metrics.Counter halfOpenProven;
  /** Observe GETs refused (5.03) because max_half_open unproven observer devices were open. */
  public final Metrics.Counter halfOpenRefused;
  /** The raw registry, for gauges of the listeners' tables. */
  public final Metrics registry;

  public CoapMetrics(Metrics m) {
    registry = m;
    halfOpenTimeouts = m.counter("half_open.timeouts");
    halfOpenProven = m.counter("half_open.proven");
    halfOpenRefused = m.counter("half_open.refused");
    connectionsRefused = m.counter("connections.refused");
    connectionsRateLimited = m.counter("connections.rate_limited");
    datagramsDropped = m.counter("datagrams.dropped");
    topicsRefused = m.counter("topics.refused");
    observationsRefused = m.counter("observations.refused");
    publishesRateLimited = m.counter("publishes.rate_limited");
    notificationsChecked = m.counter("notifications.checked");
    drops = m.counter("drops");
    notificationsDropped = m.counter("notifications.dropped");
    notificationTimeouts = m.counter("notifications.timeouts");
    notificationsSent = m.counter("notifications.sent");
    published = m.counter("published");
    heartbeatTimeouts = m.counter("heartbeat.timeouts");
  }
}
