package io.estuary.api;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An adapter's own management resources, served by the core's management API under
 * {@code /api/v5/gateways/<protocol>/...} with the same API-key authentication as every {@code /api/} call.
 * The core strips that prefix and hands the rest to {@link #handle}; it answers what the adapter returns.
 * Called on the management API's handler threads (never an I/O loop), several at once: the handler must
 * be thread-safe and quick (no waiting on devices; store writes fire and forget).
 */
public interface AdapterApi {
  /**
   * @param method the HTTP method ("GET", "PUT", "POST", "DELETE")
   * @param path what follows {@code /api/v5/gateways/<protocol>}, starting with "/" (percent-decoded)
   * @param body the request body (empty when none)
   */
  record Request(String method, String path, byte[] body) {
    public Request {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(path, "path");
      body = body == null ? new byte[0] : body;
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** The HTTP status and a JSON body ("" for none, e.g. 204). */
  record Response(int status, String json) {
    public Response {
      Objects.requireNonNull(json, "json");
    }

    /** EMQX's error shape: {@code {"code": code, "message": message}}. */
    public static Response error(int status, String code, String message) {
      return new Response(status, "{\"code\":" + quote(code) + ",\"message\":" + quote(message) + "}");
    }

    private static String quote(String s) {
      StringBuilder b = new StringBuilder("\"");
      for (char c : s.toCharArray()) {
        if (c == '"' || c == '\\') {
          b.append('\\').append(c);
        } else if (c < 0x20) {
          b.append(String.format("\\u%04x", (int) c));
        } else {
          b.append(c);
        }
      }
      return b.append('"').toString();
    }
  }

  Response handle(Request request);
}
