package io.estuary.coap.mapping;

/**
 * EMQX's {@code notify_type}: the CoAP message type of observe notifications. {@link #QOS} sends
 * QoS 0 messages as NON and QoS 1/2 as CON.
 */
public enum NotifyType {
  NON, CON, QOS;

  public boolean confirmable(int qos) {
    return switch (this) {
      case NON -> false;
      case CON -> true;
      case QOS -> qos > 0;
    };
  }

  /** The config spelling ("non", "con", "qos"), or null if unknown. */
  public static NotifyType parse(String s) {
    for (NotifyType t : values()) {
      if (t.name().equalsIgnoreCase(s.trim())) {
        return t;
      }
    }
    return null;
  }
}
