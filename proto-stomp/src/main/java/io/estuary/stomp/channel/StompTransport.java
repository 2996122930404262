package io.estuary.stomp.channel;

import io.estuary.stomp.codec.StompFrame;
import io.estuary.stomp.codec.StompVersion;
import java.time.Duration;

/** What a channel asks of its connection; called on the channel's thread only. */
public interface StompTransport {
  /** Writes a frame encoded for {@code version}. */
  void send(StompFrame frame, StompVersion version);

  /** Writes one heart-beat (an EOL). */
  void sendHeartBeat();

  /** Closes the connection once what was written is flushed. */
  void close();

  /** Stops (false) or resumes (true) reading from the peer: back-pressure while publishes are pending. */
  void readEnabled(boolean enabled);

  /** Calls {@link StompChannel#handleTick()} on the channel's thread after {@code delay}. */
  void armTimer(Duration delay);
}
