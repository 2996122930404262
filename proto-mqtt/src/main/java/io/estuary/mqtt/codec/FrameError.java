package io.estuary.mqtt.codec;

/** A packet the decoder could not read: what went wrong, as the state machine answers it. */
public record FrameError(Kind kind, String detail) {

  public enum Kind {
    /** CONNECT with a protocol name/level we do not speak (3.1.1 return code 1, MQTT 5 0x84). */
    UNACCEPTABLE_PROTOCOL_VERSION,
    /** CONNECT whose client identifier the decoder refused (3.1.1 return code 2, MQTT 5 0x85). */
    IDENTIFIER_REJECTED,
    /** Remaining length above {@code mqtt.max_packet_size} (MQTT 5 0x95). */
    TOO_LARGE,
    /** Anything else (MQTT 5 0x81). */
    MALFORMED
  }
}
