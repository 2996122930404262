package io.estuary.mqttsn.codec;

import java.util.Objects;

/**
 * The decoder's answer for one datagram. There is no "need more" case: MQTT-SN maps one message to one
 * datagram (MQTT-SN 1.2 §5.2), so a short datagram is simply malformed.
 */
public sealed interface DecodeResult permits DecodeResult.Decoded, DecodeResult.FrameError {

  /** A well-formed message. */
  record Decoded(MqttSnFrame frame) implements DecodeResult {
    public Decoded {
      Objects.requireNonNull(frame, "frame");
    }
  }

  /** Malformed input, with a short reason for the drops log (never the payload). */
  record FrameError(String reason) implements DecodeResult {
    public FrameError {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
