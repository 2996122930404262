package io.estuary.lwm2m.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Base64;
import java.util.Date;
import java.util.Locale;
import org.eclipse.leshan.core.link.Link;
import org.eclipse.leshan.core.model.ResourceModel.Type;
import org.eclipse.leshan.core.node.ObjectLink;
import org.eclipse.leshan.core.util.datatype.ULong;

/**
 * LwM2M resource values ↔ JSON. Opaque is base64, Time is Unix seconds, Objlnk is {@code "3:0"}.
 */
public final class ValueCodec {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private ValueCodec() {}

  /** EMQX's {@code type} names ("String", "Integer", "Float", "Boolean", "Opaque", "Time", "Objlnk"), or null. */
  public static Type parseType(String s) {
    if (s == null) {
      return null;
    }
    return switch (s.toLowerCase(Locale.ROOT).replace(" ", "").replace("_", "")) {
      case "string" -> Type.STRING;
      case "integer", "int" -> Type.INTEGER;
      case "unsignedinteger", "unsigned" -> Type.UNSIGNED_INTEGER;
      case "float" -> Type.FLOAT;
      case "boolean", "bool" -> Type.BOOLEAN;
      case "opaque", "binary" -> Type.OPAQUE;
      case "time" -> Type.TIME;
      case "objlnk", "objectlink" -> Type.OBJLNK;
      default -> null;
    };
  }

  /** The name {@link #parseType} reads back: "String", "Integer", "Unsigned Integer", "Float", "Boolean", "Opaque", "Time", "Objlnk", "Corelnk". */
  public static String typeName(Type type) {
    return switch (type) {
      case STRING -> "String";
      case INTEGER -> "Integer";
      case UNSIGNED_INTEGER -> "Unsigned Integer";
      case FLOAT -> "Float";
      case BOOLEAN -> "Boolean";
      case OPAQUE -> "Opaque";
      case TIME -> "Time";
      case OBJLNK -> "Objlnk";
      case CORELINK -> "Corelnk";
      default -> type.name();
    };
  }

  /** The Java value Leshan expects for {@code type}; {@link IllegalArgumentException} says what is wrong. */
  public static Object toValue(JsonNode v, Type type) {
    if (v == null || v.isNull() || v.isContainerNode()) {
      throw new IllegalArgumentException("value must be a string, number or boolean");
    }
    try {
      return switch (type) {
        case STRING -> v.asText();
        case INTEGER -> v.isNumber() ? v.longValue() : Long.parseLong(v.asText().trim());
        case UNSIGNED_INTEGER -> ULong.valueOf(v.asText().trim());
        case FLOAT -> v.isNumber() ? v.doubleValue() : Double.parseDouble(v.asText().trim());
        case BOOLEAN -> bool(v);
        case OPAQUE -> Base64.getDecoder().decode(v.asText());
        case TIME -> new Date((v.isNumber() ? v.longValue() : Long.parseLong(v.asText().trim())) * 1000L);
        case OBJLNK -> objlnk(v.asText());
        default -> throw new IllegalArgumentException("type " + type + " cannot be written");
      };
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + v.asText() + "' is not a valid " + type.name().toLowerCase(Locale.ROOT));
    }
  }

  private static boolean bool(JsonNode v) {
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    String s = v.asText().trim();
    if (s.equals("true") || s.equals("1")) {
      return true;
    }
    if (s.equals("false") || s.equals("0")) {
      return false;
    }
    throw new IllegalArgumentException("'" + s + "' is not a boolean");
  }

  private static ObjectLink objlnk(String s) {
    int colon = s.indexOf(':');
    if (colon <= 0) {
      throw new NumberFormatException(s);
    }
    return new ObjectLink(Integer.parseInt(s.substring(0, colon).trim()), Integer.parseInt(s.substring(colon + 1).trim()));
  }

  /** A resource value as JSON. */
  public static JsonNode toJson(Object value) {
    if (value == null) {
      return F.nullNode();
    }
    if (value instanceof String s) {
      return F.textNode(s);
    }
    if (value instanceof Long || value instanceof Integer) {
      return F.numberNode(((Number) value).longValue());
    }
    if (value instanceof ULong u) {
      return F.numberNode(u.toBigInteger());
    }
    if (value instanceof Double || value instanceof Float) {
      return F.numberNode(((Number) value).doubleValue());
    }
    if (value instanceof Boolean b) {
      return F.booleanNode(b);
    }
    if (value instanceof Date d) {
      return F.numberNode(d.getTime() / 1000L);
    }
    if (value instanceof byte[] bytes) {
      return F.textNode(Base64.getEncoder().encodeToString(bytes));
    }
    if (value instanceof ObjectLink l) {
      return F.textNode(l.getObjectId() + ":" + l.getObjectInstanceId());
    }
    if (value instanceof Link[] links) {
      StringBuilder sb = new StringBuilder();
      for (Link l : links) {
        if (sb.length() > 0) {
          sb.append(',');
        }
        sb.append(l.toCoreLinkFormat());
      }
      return F.textNode(sb.toString());
    }
    return F.textNode(value.toString());
  }
}
