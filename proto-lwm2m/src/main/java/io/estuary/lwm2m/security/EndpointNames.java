package io.estuary.lwm2m.security;

/**
 * Endpoint names the gateway refuses (issue #12): an endpoint name is the MQTT client id, a topic level in
 * {@code lwm2m/${endpoint}/…} and the value of ACL placeholders, so a name with {@code + #} would widen
 * subscriptions, {@code /} would step into another device's topics, NUL and control characters break logs
 * and topics, and {@code $} names are the gateway's own sessions ({@code $uplink/<name>}). Stateless.
 */
public final class EndpointNames {
  private EndpointNames() {}

  /** Null when {@code ep} may register, else why not. */
  public static String check(String ep) {
    if (ep == null || ep.isEmpty()) {
      return "empty endpoint name";
    }
    if (ep.startsWith("$")) {
      return "endpoint names starting with $ are reserved";
    }
    for (int i = 0; i < ep.length(); i++) {
      char c = ep.charAt(i);
      if (c == '+' || c == '#' || c == '/') {
        return "endpoint name holds '" + c + "'";
      }
      if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) {
        return "endpoint name holds a control character";
      }
    }
    return null;
  }
}
