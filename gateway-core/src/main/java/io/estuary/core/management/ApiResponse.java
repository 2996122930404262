package io.estuary.core.management;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** An answer of the management API: status, content type and body bytes. Immutable. */
record ApiResponse(int status, String contentType, byte[] body) {
  static final ObjectMapper JSON = new ObjectMapper();

  static ApiResponse json(int status, Object body) {
    try {
      return new ApiResponse(status, "application/json", JSON.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  static ApiResponse ok(Object body) {
    return json(200, body);
  }

  /** EMQX's error shape: {@code {"code": "...", "message": "..."}}. */
  static ApiResponse error(int status, String code, String message) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("code", code);
    body.put("message", message);
    return json(status, body);
  }

  static ApiResponse text(int status, String body, String contentType) {
    return new ApiResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  static ApiResponse noContent() {
    return new ApiResponse(204, null, new byte[0]);
  }
}
