package io.estuary.uplink.client;

import io.estuary.api.Message;
import java.time.Duration;

/** What the link reports. See the package doc for the threads these arrive on. */
public interface LinkListener {
  /** A connection to the upstream broker is up. */
  void connected();

  /** The connection failed or ended; the next attempt starts after {@code retryIn} (null: no retry, stopping). */
  void disconnected(String reason, Duration retryIn);

  /** An upstream subscription was refused. */
  void subscribeFailed(String filter, String reason);

  /**
   * A message from the upstream broker, on the uplink's executor, in arrival order. QoS 1/2 messages
   * are acknowledged upstream only when {@code ack} runs.
   */
  void message(Message remote, Runnable ack);
}
