package io.estuary.mqtt.channel;

import io.estuary.mqtt.codec.MqttFrame;
import java.time.Duration;
import java.util.Objects;

/** What a {@link MqttChannel} asks its transport to do, in order. */
public sealed interface Action {

  /**
   * Write one packet, and flush it unless {@code flush} is false: then it is one of a batch of deliveries
   * and a {@link Flush} follows the batch's last packet.
   */
  record Send(MqttFrame frame, boolean flush) implements Action {
    public Send {
      Objects.requireNonNull(frame, "frame");
    }

    /** Write and flush one packet. */
    public Send(MqttFrame frame) {
      this(frame, true);
    }
  }

  /** Flush what was written without a flush (the end of a batch of deliveries). */
  record Flush() implements Action {}

  /** Write one last packet (CONNACK refusal, MQTT 5 DISCONNECT), then close the connection once it is written. */
  record SendThenClose(MqttFrame frame) implements Action {
    public SendThenClose {
      Objects.requireNonNull(frame, "frame");
    }
  }

  /** Close the connection now. */
  record Close() implements Action {}

  /**
   * Replace the read-idle timer: {@link MqttChannel#handleTimeout()} is due after {@code readTimeout}
   * without a byte from the client; zero disables it (keepalive 0, MQTT 5 §3.1.2.10).
   */
  record KeepAlive(Duration readTimeout) implements Action {}

  /**
   * Stop ({@code false}) or resume ({@code true}) reading from the client: its QoS 1/2 publishes the broker
   * has not answered yet reached the receive maximum (the backpressure that pauses an MQTT 3.1.1 publisher,
   * which has no receive maximum of its own). Nothing is dropped; TCP's window slows the client.
   */
  record Reading(boolean on) implements Action {}
}
