package io.estuary.uplink.client;

import io.estuary.api.Message;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * One upstream MQTT connection, kept up until {@link #stop}. Thread-safe.
 */
public interface RemoteLink {

  /** Starts connecting; failures are reported to the listener and retried with the backoff. */
  void start();

  /**
   * Publishes upstream. Completes (on a client thread) with the broker's answer once a QoS 1/2
   * message is acknowledged or a QoS 0 message is written; exceptionally when the connection failed
   * before that (the caller decides whether to resend).
   */
  CompletionStage<RemoteAck> publish(Message message);

  /** Disconnects (keeping the upstream session) and stops reconnecting. */
  CompletionStage<Void> stop(Duration grace);

  static RemoteLink create(LinkOptions options, List<RemoteFilter> subscriptions, LinkListener listener, Executor executor) {
    return options.version() == LinkOptions.MqttVersion.V5
        ? new Mqtt5Link(options, subscriptions, listener, executor)
        : new Mqtt3Link(options, subscriptions, listener, executor);
  }
}
