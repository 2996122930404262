package io.estuary.coap.mapping;

/**
 * EMQX's {@code publish_qos} / {@code subscribe_qos}: the QoS a request gets when it carries no
 * {@code qos=} query. {@link #COAP} derives it from the message type: CON → 1, NON → 0.
 */
public enum QosPolicy {
  COAP, QOS0, QOS1, QOS2;

  public int qos(boolean confirmable) {
    return switch (this) {
      case COAP -> confirmable ? 1 : 0;
      case QOS0 -> 0;
      case QOS1 -> 1;
      case QOS2 -> 2;
    };
  }

  /** The config spelling ("coap", "qos1"), or null if unknown. */
  public static QosPolicy parse(String s) {
    for (QosPolicy p : values()) {
      if (p.name().equalsIgnoreCase(s.trim())) {
        return p;
      }
    }
    return null;
  }
}
