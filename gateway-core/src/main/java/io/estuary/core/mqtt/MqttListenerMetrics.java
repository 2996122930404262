package io.estuary.core.mqtt;

import io.estuary.api.Metrics;

/** Counters shared by all MQTT connections. */
final class MqttListenerMetrics {
  final Metrics.Counter malformed;
  final Metrics.Counter authFailures;
  final Metrics.Counter connects;
  final Metrics.Counter publishesIn;
  final Metrics.Counter publishesOut;
  final Metrics.Counter rejectedConnections;

  MqttListenerMetrics(Metrics m) {
    malformed = m.counter("mqtt.drops", "reason", "malformed");
    authFailures = m.counter("mqtt.auth.failures");
    connects = m.counter("mqtt.connects");
    publishesIn = m.counter("mqtt.publish.received");
    publishesOut = m.counter("mqtt.publish.sent");
    rejectedConnections = m.counter("mqtt.drops", "reason", "max_connections");
  }
}
