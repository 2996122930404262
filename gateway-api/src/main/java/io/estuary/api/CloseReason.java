package io.estuary.api;

/** Why a connection or session ended. {@link #publishesWill()} says whether the will goes out. */
public enum CloseReason {
  /** The client said goodbye (MQTT DISCONNECT 0x00, MQTT-SN DISCONNECT, CoAP DELETE): no will. */
  NORMAL(false),
  /** The client disconnected asking for its will (MQTT 5 reason 0x04). */
  NORMAL_WITH_WILL(true),
  /** Another connection took the client id over. */
  TAKEN_OVER(true),
  KEEPALIVE_TIMEOUT(true),
  PROTOCOL_ERROR(true),
  TRANSPORT_ERROR(true),
  NOT_AUTHORIZED(true),
  /** Kicked through the management API. */
  ADMIN_KICK(true),
  SERVER_SHUTDOWN(false),
  SESSION_EXPIRED(false),
  /** A sleeping client missed its wake-up deadline (MQTT-SN "lost"). */
  SLEEP_TIMEOUT(true);

  private final boolean publishesWill;

  CloseReason(boolean publishesWill) {
    this.publishesWill = publishesWill;
  }

  public boolean publishesWill() {
    return publishesWill;
  }
}
