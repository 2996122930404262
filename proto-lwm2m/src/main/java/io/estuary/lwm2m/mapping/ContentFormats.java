package io.estuary.lwm2m.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Set;
import org.eclipse.leshan.core.request.ContentFormat;

/**
 * {@code data.contentFormat} of a command: a short name ({@code "senml-cbor"}, {@code "senml-json"},
 * {@code "tlv"}, {@code "json"}, {@code "cbor"}, {@code "text"}, {@code "opaque"}), a media type
 * ({@code "application/senml+cbor"}) or a CoAP content-format number ({@code 112}).
 */
final class ContentFormats {
  /** What LwM2M 1.1 composite operations may carry (LwM2M 1.1 TS Core §7.4.4: SenML JSON or SenML CBOR). */
  static final Set<ContentFormat> COMPOSITE = Set.of(ContentFormat.SENML_CBOR, ContentFormat.SENML_JSON);

  private ContentFormats() {}

  /** The format {@code data.contentFormat} names, or null when absent; {@link IllegalArgumentException} when unknown. */
  static ContentFormat requested(JsonNode data) {
    JsonNode n = data.get("contentFormat");
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.canConvertToInt() && n.isIntegralNumber()) {
      return known(ContentFormat.fromCode(n.intValue()), n.asText());
    }
    String s = n.asText().trim().toLowerCase(Locale.ROOT);
    ContentFormat f = switch (s) {
      case "senml-cbor", "senml_cbor", "senmlcbor" -> ContentFormat.SENML_CBOR;
      case "senml-json", "senml_json", "senmljson" -> ContentFormat.SENML_JSON;
      case "tlv" -> ContentFormat.TLV;
      case "json", "lwm2m-json" -> ContentFormat.JSON;
      case "cbor" -> ContentFormat.CBOR;
      case "text", "plain" -> ContentFormat.TEXT;
      case "opaque" -> ContentFormat.OPAQUE;
      default -> s.contains("/") ? ContentFormat.fromMediaType(s) : null;
    };
    if (f == null && !s.isEmpty() && s.chars().allMatch(Character::isDigit) && s.length() < 6) {
      f = ContentFormat.fromCode(Integer.parseInt(s));
    }
    return known(f, n.asText());
  }

  private static ContentFormat known(ContentFormat f, String given) {
    for (ContentFormat k : ContentFormat.knownContentFormat) {
      if (k.equals(f)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown contentFormat '" + given
        + "' (senml-cbor, senml-json, tlv, json, cbor, text, opaque)");
  }
}
