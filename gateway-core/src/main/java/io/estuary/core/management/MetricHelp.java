package io.estuary.core.management;

import java.util.Map;

/**
 * HELP text for the Prometheus exposition: the known Estuary metrics by their dotted name (after the
 * {@code estuary.} prefix and any adapter prefix), and a generated line for the rest, so no HELP is
 * empty. Stateless.
 */
final class MetricHelp {
  private static final Map<String, String> KNOWN = Map.ofEntries(
      Map.entry("messages.received", "Messages received from clients of every protocol"),
      Map.entry("messages.sent", "Messages delivered to clients of every protocol"),
      Map.entry("delivery.latency", "Time from a publish reaching the broker to its hand-over to the subscriber's"
          + " connection, by the subscriber's protocol (millisecond resolution; queued time included)"),
      Map.entry("messages.dropped", "Messages dropped, by reason"),
      Map.entry("webhooks.refused", "Webhook requests not sent, by reason"),
      Map.entry("webhooks.registrations.refused", "Webhook registrations refused, by reason (max_registrations)"),
      Map.entry("webhooks.registrations.count", "Webhook hook/endpoint pairs registered"),
      Map.entry("webhooks.failed", "Webhook requests that failed (timeout, connect, status, bad_response, no_client)"),
      Map.entry("bytes.received", "Bytes read from devices, by protocol"),
      Map.entry("bytes.sent", "Bytes written to devices, by protocol"),
      Map.entry("sessions.count", "Sessions held by the broker (connected, asleep or persistent)"),
      Map.entry("sessions.refused", "Sessions refused, by reason"),
      Map.entry("connections.count", "Connected clients of every protocol"),
      Map.entry("connections", "Connected clients of this protocol"),
      Map.entry("subscriptions.count", "Subscriptions of all sessions"),
      Map.entry("retained.count", "Retained messages"),
      Map.entry("acl.denied", "Publish, subscribe, deliver or resume denied by the ACL, by action"),
      Map.entry("auth.failures", "Failed authentications"),
      Map.entry("api.auth_failures", "Management API calls refused for want of a valid API key"),
      Map.entry("api.idle_closed", "Management API connections closed after api.idle_timeout"),
      Map.entry("drops", "Packets dropped or refused, by reason"),
      Map.entry("store.batches", "Store write batches"),
      Map.entry("store.bytes", "Bytes of live data in the store"),
      Map.entry("store.write_errors", "Store write failures"),
      Map.entry("store.pending_writes", "Store writes waiting for the writer thread"),
      Map.entry("store.pending_bytes", "Key and value bytes of store writes waiting for the writer thread"),
      Map.entry("store.failing", "1 while the store's last write failed (full or failing disk)"),
      Map.entry("store.refused", "New persistent work the store refused, by reason and work"));

  private MetricHelp() {}

  /** The HELP line for the meter named {@code name} (Micrometer's dotted name). */
  static String of(String name) {
    String n = name.startsWith("estuary.") ? name.substring("estuary.".length()) : name;
    String known = KNOWN.get(n);
    if (known != null) {
      return known;
    }
    int dot = n.indexOf('.');
    if (dot > 0 && KNOWN.containsKey(n.substring(dot + 1))) {
      return KNOWN.get(n.substring(dot + 1)) + " (" + n.substring(0, dot) + ")";
    }
    return "Estuary metric " + n.replace('.', ' ') + " (docs/operations.md, Metrics)";
  }
}
