package io.estuary.uplink.client;

/**
 * The upstream broker's answer to a forwarded message. A refusal (MQTT 5 PUBACK/PUBREC reason code
 * 0x80 and above) is final: resending would be refused again.
 */
public record RemoteAck(boolean accepted, String reason) {
  public static final RemoteAck ACCEPTED = new RemoteAck(true, "");

  public static RemoteAck refused(String reason) {
    return new RemoteAck(false, reason);
  }
}
