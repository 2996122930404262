package io.estuary.coap.mapping;

import org.eclipse.californium.core.coap.MediaTypeRegistry;

/**
 * CoAP Content-Format (RFC 7252 §12.3) ↔ MQTT 5 content type. Registered formats travel as their
 * media type ("application/json"); unregistered numbers as {@code application/vnd.coap.cf-<n>} so
 * they survive the round trip.
 */
public final class ContentFormats {
  private static final String UNKNOWN_PREFIX = "application/vnd.coap.cf-";

  private ContentFormats() {}

  /** The MQTT content type for a CoAP content format, or null when the request had none. */
  public static String toContentType(int contentFormat) {
    if (contentFormat < 0) {
      return null;
    }
    if (MediaTypeRegistry.isKnown(contentFormat)) {
      return MediaTypeRegistry.toString(contentFormat);
    }
    return UNKNOWN_PREFIX + contentFormat;
  }

  /** The CoAP content format for an MQTT content type, or -1 when none fits. */
  public static int toContentFormat(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      return -1;
    }
    String t = contentType.trim();
    if (t.startsWith(UNKNOWN_PREFIX)) {
      try {
        int n = Integer.parseInt(t.substring(UNKNOWN_PREFIX.length()));
        return n >= 0 && n <= 0xFFFF ? n : -1;
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    int cf = MediaTypeRegistry.parse(t);
    if (cf == MediaTypeRegistry.UNDEFINED) {
      // "text/plain;charset=utf-8" and other parameterised forms: CoAP registers the bare type
      int[] withParameter = MediaTypeRegistry.parseWithParameter(t);
      if (withParameter.length > 0) {
        return withParameter[0];
      }
      int semicolon = t.indexOf(';');
      cf = semicolon < 0 ? cf : MediaTypeRegistry.parse(t.substring(0, semicolon).trim());
    }
    return cf == MediaTypeRegistry.UNDEFINED ? -1 : cf;
  }
}
