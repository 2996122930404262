package io.estuary.lwm2m.mapping;

import java.util.Map;
import org.eclipse.leshan.core.ResponseCode;

/** CoAP response codes the way EMQX spells them: {@code "2.05"} and {@code "content"} (RFC 7252 §12.1.2). */
public final class CoapCodes {
  private static final Map<Integer, String> NAMES = Map.ofEntries(
      Map.entry(201, "created"), Map.entry(202, "deleted"), Map.entry(203, "valid"), Map.entry(204, "changed"),
      Map.entry(205, "content"), Map.entry(231, "continue"), Map.entry(400, "bad_request"),
      Map.entry(401, "unauthorized"), Map.entry(402, "bad_option"), Map.entry(403, "forbidden"),
      Map.entry(404, "not_found"), Map.entry(405, "method_not_allowed"), Map.entry(406, "not_acceptable"),
      Map.entry(408, "request_entity_incomplete"), Map.entry(412, "precondition_failed"),
      Map.entry(413, "request_entity_too_large"), Map.entry(415, "unsupported_content_format"),
      Map.entry(500, "internal_server_error"), Map.entry(501, "not_implemented"), Map.entry(502, "bad_gateway"),
      Map.entry(503, "service_unavailable"), Map.entry(504, "gateway_timeout"),
      Map.entry(505, "proxying_not_supported"));

  private CoapCodes() {}

  /** Leshan's 205 → "2.05". */
  public static String code(ResponseCode c) {
    int v = c.getCode();
    return (v / 100) + "." + String.format("%02d", v % 100);
  }

  /** Leshan's 205 → "content"; unknown codes → "unknown". */
  public static String codeMsg(ResponseCode c) {
    return NAMES.getOrDefault(c.getCode(), "unknown");
  }
}
