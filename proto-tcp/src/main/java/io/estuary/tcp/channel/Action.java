package io.estuary.tcp.channel;

import java.time.Duration;

/** What the transport must do for a channel, in the order the channel emits them. */
public sealed interface Action {
  /**
   * Write {@code bytes}; once written, run {@code written} (acknowledges a QoS 1/2 delivery) unless it is null.
   */
  record Send(byte[] bytes, Runnable written) implements Action {}

  /** Write {@code bytes}, then close the connection. */
  record SendThenClose(byte[] bytes) implements Action {}

  /** Close the connection now. */
  record Close() implements Action {}

  /** Decode the bytes the transport still holds: the channel stopped reading while its session opened. */
  record Resume() implements Action {}

  /**
   * Stop reading for {@code nanos} (the connection went over its {@code messages_rate} or {@code bytes_rate}); then
   * call {@link DeviceChannel#handleResumed}, decode what is held and read again.
   */
  record Pause(long nanos) implements Action {}

  /** Replace the read-idle timer: the connection ends after {@code readTimeout} without input; zero removes it. */
  record KeepAlive(Duration readTimeout) implements Action {}
}
