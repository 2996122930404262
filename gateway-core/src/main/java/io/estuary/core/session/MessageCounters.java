package io.estuary.core.session;

import io.estuary.api.Metrics;

/** The broker's message counters: received, sent, and dropped by reason ({@code messages.dropped{reason}}). Thread-safe. */
final class MessageCounters {
  final Metrics.Counter received;
  final Metrics.Counter sent;
  final Metrics.Counter droppedQueueFull;
  final Metrics.Counter droppedExpired;
  final Metrics.Counter droppedQueueAge;
  final Metrics.Counter droppedTooLarge;
  final Metrics.Counter droppedNoSubscribers;
  final Metrics.Counter droppedQos0Offline;
  final Metrics.Counter droppedStoreFull;
  /** ACL denials ({@code acl.denied{action}}): publishes (incl. any client's to $SYS), subscribes, deliveries, subscriptions revoked on resume. */
  final Metrics.Counter deniedPublish;
  final Metrics.Counter deniedSubscribe;
  final Metrics.Counter deniedDelivery;
  final Metrics.Counter deniedResume;

  private final Metrics metrics;

  Metrics metrics() {
    return metrics;
  }
  /** {@code delivery.latency} by the subscriber's protocol: one timer per protocol, looked up once per connection. */
  private final java.util.concurrent.ConcurrentHashMap<String, Metrics.Timer> latency = new java.util.concurrent.ConcurrentHashMap<>();

  /** The publish → delivery latency timer for subscribers of {@code protocol}. */
  Metrics.Timer deliveryLatency(String protocol) {
    return latency.computeIfAbsent(protocol, p -> metrics.timer("delivery.latency", "protocol", p));
  }

  MessageCounters(Metrics metrics) {
    this.metrics = metrics;
    received = metrics.counter("messages.received");
    sent = metrics.counter("messages.sent");
    droppedQueueFull = dropped(metrics, "queue_full");
    droppedExpired = dropped(metrics, "expired");
    droppedQueueAge = dropped(metrics, "queue_age");
    droppedTooLarge = dropped(metrics, "too_large");
    droppedNoSubscribers = dropped(metrics, "no_subscribers");
    droppedQos0Offline = dropped(metrics, "qos0_offline");
    droppedStoreFull = dropped(metrics, "store_full");
    deniedPublish = metrics.counter("acl.denied", "action", "publish");
    deniedSubscribe = metrics.counter("acl.denied", "action", "subscribe");
    deniedDelivery = metrics.counter("acl.denied", "action", "deliver");
    deniedResume = metrics.counter("acl.denied", "action", "resume");
  }

  private static Metrics.Counter dropped(Metrics metrics, String reason) {
    return metrics.counter("messages.dropped", "reason", reason);
  }
}
