package io.estuary.lwm2m.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses EMQX downlink commands: {@code {"reqID":1,"msgType":"read","data":{"path":"/3/0/0"}}}. Never
 * throws on input.
 */
public final class CommandParser {
  static final ObjectMapper JSON = new ObjectMapper();

  private CommandParser() {}

  public static ParseResult parse(byte[] payload) {
    JsonNode root;
    try {
      root = JSON.readTree(payload);
    } catch (JsonProcessingException e) {
      return new ParseResult.Rejected(JSON.createObjectNode(), "malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      return new ParseResult.Rejected(JSON.createObjectNode(), "malformed JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      return new ParseResult.Rejected(JSON.createObjectNode(), "command must be a JSON object");
    }
    ObjectNode envelope = (ObjectNode) root;
    JsonNode msgType = envelope.get("msgType");
    if (msgType == null || !msgType.isTextual()) {
      return new ParseResult.Rejected(envelope, "msgType missing or not a string");
    }
    CommandType type = CommandType.parse(msgType.asText());
    if (type == null) {
      return new ParseResult.Rejected(envelope, "unknown msgType '" + msgType.asText() + "'");
    }
    JsonNode data = envelope.get("data");
    if (data == null || !data.isObject()) {
      return new ParseResult.Rejected(envelope, "data missing or not an object");
    }
    if (type.composite()) {
      return composite(envelope, type, (ObjectNode) data);
    }
    String path = text(data, "path");
    String basePath = text(data, "basePath");
    String reqPath = type.usesBasePath() || (type == CommandType.WRITE && path == null) ? basePath : path;
    if (reqPath == null || reqPath.isBlank()) {
      return new ParseResult.Rejected(envelope, type.usesBasePath() || type == CommandType.WRITE
          ? "data.path or data.basePath missing" : "data.path missing");
    }
    int q = reqPath.indexOf('?');
    return new ParseResult.Parsed(new Command(envelope, type, (ObjectNode) data,
        canonical(q < 0 ? reqPath : reqPath.substring(0, q))));
  }

  /**
   * A path as Leshan writes it ({@code "/3/0/0"}) when it is one, so that {@code " /3/0/0"}, {@code "3/0/0/"} and
   * {@code "/3/0/0"} name the same observation (and its notifications, which carry Leshan's form, find its reqID);
   * otherwise trimmed (the request builder refuses it).
   */
  static String canonical(String path) {
    try {
      return RequestBuilder.path(path).toString();
    } catch (RuntimeException notAPath) {
      return path.trim();
    }
  }

  /**
   * read-, observe- and cancel-observe-composite name their paths in {@code data.paths}; write-composite in
   * {@code data.content[].path}.
   */
  private static ParseResult composite(ObjectNode envelope, CommandType type, ObjectNode data) {
    boolean write = type == CommandType.WRITE_COMPOSITE;
    JsonNode list = data.get(write ? "content" : "paths");
    if (list == null || !list.isArray() || list.isEmpty()) {
      return new ParseResult.Rejected(envelope, write ? "data.content must be a non-empty array of {path, value}"
          : "data.paths must be a non-empty array of paths");
    }
    List<String> paths = new ArrayList<>();
    for (JsonNode item : list) {
      JsonNode p = write ? (item.isObject() ? item.get("path") : null) : item;
      if (p == null || !p.isTextual() || p.asText().isBlank()) {
        return new ParseResult.Rejected(envelope, write ? "each data.content item needs a path"
            : "data.paths must hold path strings");
      }
      paths.add(canonical(p.asText()));
    }
    return new ParseResult.Parsed(new Command(envelope, type, data, Command.compositeKey(paths), paths));
  }

  static String text(JsonNode obj, String key) {
    JsonNode n = obj.get(key);
    return n == null || n.isNull() ? null : n.asText();
  }
}
