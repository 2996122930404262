package io.estuary.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code estuary ctl}'s human-readable output, as {@code emqx ctl} prints it: a list of objects becomes a table
 * of chosen columns (with the page line of a paged answer), one object a two-column key/value table. Stateless.
 */
final class CtlTable {
  private CtlTable() {}

  /** A JSON answer rendered for a person: {@code columns} pick the fields of list items (null = all). */
  static String render(JsonNode answer, List<String> columns) {
    if (answer == null || answer.isMissingNode() || answer.isNull()) {
      return "";
    }
    if (answer.isObject() && answer.has("data") && answer.get("data").isArray()) {
      StringBuilder sb = new StringBuilder(table(answer.get("data"), columns));
      JsonNode meta = answer.get("meta");
      if (meta != null && meta.has("count")) {
        sb.append(String.format("page %d, %d per page, %d in all%s%n", meta.path("page").asInt(), meta.path("limit").asInt(),
            meta.path("count").asInt(), meta.path("hasnext").asBoolean() ? " (--page " + (meta.path("page").asInt() + 1) + " for more)" : ""));
      }
      return sb.toString();
    }
    if (answer.isArray()) {
      return answer.size() == 1 && columns == null && answer.get(0).isObject() ? keyValues(answer.get(0)) : table(answer, columns);
    }
    if (answer.isObject()) {
      if (columns != null) { // one object: only the chosen keys
        com.fasterxml.jackson.databind.node.ObjectNode picked = answer.deepCopy();
        picked.retain(columns);
        return keyValues(picked);
      }
      return keyValues(answer);
    }
    return answer.asText() + System.lineSeparator();
  }

  static String keyValues(JsonNode o) {
    int w = 0;
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      w = Math.max(w, it.next().length());
    }
    StringBuilder sb = new StringBuilder();
    for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      sb.append(String.format("%-" + w + "s : %s%n", e.getKey(), cell(e.getValue())));
    }
    return sb.toString();
  }

  static String table(JsonNode items, List<String> columns) {
    List<String> cols = columns;
    if (cols == null) {
      cols = new ArrayList<>();
      if (items.size() > 0) {
        items.get(0).fieldNames().forEachRemaining(cols::add);
      }
    }
    if (items.size() == 0) {
      return "(none)" + System.lineSeparator();
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(cols.toArray(String[]::new));
    for (JsonNode item : items) {
      String[] row = new String[cols.size()];
      for (int i = 0; i < row.length; i++) {
        row[i] = cell(item.get(cols.get(i)));
      }
      rows.add(row);
    }
    int[] w = new int[cols.size()];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        w[i] = Math.max(w[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        line.append(i == 0 ? "" : "  ").append(String.format("%-" + w[i] + "s", r[i]));
      }
      sb.append(line.toString().stripTrailing()).append(System.lineSeparator());
    }
    return sb.toString();
  }

  private static String cell(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return "-";
    }
    return v.isValueNode() ? v.asText() : v.toString();
  }
}
