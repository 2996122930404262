package io.estuary.mqttsn.channel;

import io.estuary.mqttsn.codec.MqttSnFrame;
import java.net.InetSocketAddress;
import java.util.Objects;

/** What a channel asks its transport to do. */
public sealed interface Action {

  /** Send one datagram. */
  record Send(InetSocketAddress to, MqttSnFrame frame) implements Action {
    public Send {
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(frame, "frame");
    }
  }

  /** The channel is finished: forget it (its session is already closed or was never opened). */
  record Close(String clientId) implements Action {}
}
