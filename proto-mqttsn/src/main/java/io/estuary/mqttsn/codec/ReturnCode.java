package io.estuary.mqttsn.codec;

/** MQTT-SN 1.2 §5.3.10 return codes; 0x04..0xFF are reserved. */
public enum ReturnCode {
  ACCEPTED(0x00),
  REJECTED_CONGESTION(0x01),
  REJECTED_INVALID_TOPIC_ID(0x02),
  REJECTED_NOT_SUPPORTED(0x03);

  private final int code;

  ReturnCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The code for {@code value}, or null when it is a reserved value. */
  static ReturnCode fromCode(int value) {
    return value >= 0 && value < values().length ? values()[value] : null;
  }
}
