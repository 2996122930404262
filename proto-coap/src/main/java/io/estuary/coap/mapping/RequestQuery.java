package io.estuary.coap.mapping;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The Uri-Query options EMQX's CoAP gateway understands. Absent values are null.
 *
 * @param qos 0..2 from {@code qos=}, or null to use the configured policy
 * @param expiry MQTT message expiry interval in seconds from {@code expiry=}, or null
 */
public record RequestQuery(
    String clientId, String username, byte[] password, String token, Integer qos, boolean retain, Long expiry) {

  public static final RequestQuery EMPTY = new RequestQuery(null, null, null, null, null, false, null);

  public RequestQuery withClientId(String id) {
    return new RequestQuery(id, username, password, token, qos, retain, expiry);
  }

  public RequestQuery withUsername(String name) {
    return new RequestQuery(clientId, name, password, token, qos, retain, expiry);
  }

  /** Reads Uri-Query options ({@code k=v} each); unknown keys are ignored, bad values rejected. */
  public static Parsed<RequestQuery> parse(List<String> options) {
    String clientId = null;
    String username = null;
    byte[] password = null;
    String token = null;
    Integer qos = null;
    boolean retain = false;
    Long expiry = null;
    for (String option : options) {
      int eq = option.indexOf('=');
      String key = eq < 0 ? option : option.substring(0, eq);
      String value = eq < 0 ? "" : UriText.decode(option.substring(eq + 1));
      if (value == null) {
        return Parsed.badRequest("bad percent-encoding in query " + key);
      }
      switch (key) {
        case "clientid" -> clientId = value.isEmpty() ? null : value;
        case "username" -> username = value.isEmpty() ? null : value;
        case "password" -> password = value.getBytes(StandardCharsets.UTF_8);
        case "token" -> token = value.isEmpty() ? null : value;
        case "qos" -> {
          if (!value.matches("[012]")) {
            return Parsed.badRequest("qos must be 0, 1 or 2");
          }
          qos = Integer.parseInt(value);
        }
        case "retain" -> {
          if (!value.equals("true") && !value.equals("false")) {
            return Parsed.badRequest("retain must be true or false");
          }
          retain = Boolean.parseBoolean(value);
        }
        case "expiry" -> {
          if (!value.matches("\\d{1,10}") || Long.parseLong(value) > 0xFFFF_FFFFL) {
            return Parsed.badRequest("expiry must be seconds 0..4294967295");
          }
          expiry = Long.parseLong(value);
        }
        default -> { } // EMQX ignores unknown query parameters too
      }
    }
    return Parsed.ok(new RequestQuery(clientId, username, password, token, qos, retain, expiry));
  }
}
