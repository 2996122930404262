package io.estuary.lua.db;

import java.util.ArrayList;
import java.util.List;
import org.luaj.vm2.LuaError;

/**
 * PostgreSQL's {@code $1, $2, …} placeholders (what VerneMQ's postgres scripts write) rewritten to JDBC's
 * {@code ?}, with the order in which the script's parameters bind: {@code $2 … $1 … $2} binds 2, 1, 2. String
 * literals, quoted identifiers, comments and dollar-quoted bodies are left alone.
 */
record PgPlaceholders(String jdbcSql, List<Integer> order) {

  PgPlaceholders {
    order = List.copyOf(order);
  }

  static PgPlaceholders translate(String sql) {
    StringBuilder out = new StringBuilder(sql.length());
    List<Integer> order = new ArrayList<>();
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\'' || c == '"') {
        int end = closing(sql, i + 1, c);
        out.append(sql, i, end);
        i = end;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int end = sql.indexOf('\n', i);
        end = end < 0 ? n : end;
        out.append(sql, i, end);
        i = end;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        out.append(sql, i, end);
        i = end;
      } else if (c == '$' && i + 1 < n && Character.isDigit(sql.charAt(i + 1))) {
        int j = i + 1;
        while (j < n && Character.isDigit(sql.charAt(j))) {
          j++;
        }
        int index = Integer.parseInt(sql.substring(i + 1, Math.min(j, i + 6)));
        if (index < 1) {
          throw new LuaError("postgres.execute: placeholders start at $1");
        }
        order.add(index);
        out.append('?');
        i = j;
      } else if (c == '$' && (i == 0 || !Character.isLetterOrDigit(sql.charAt(i - 1)))) {
        int tagEnd = sql.indexOf('$', i + 1);
        String tag = tagEnd < 0 ? null : sql.substring(i, tagEnd + 1);
        if (tag != null && tag.chars().skip(1).limit(tag.length() - 2L).allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '_')) {
          int close = sql.indexOf(tag, tagEnd + 1);
          int end = close < 0 ? n : close + tag.length();
          out.append(sql, i, end);
          i = end;
        } else {
          out.append(c);
          i++;
        }
      } else {
        out.append(c);
        i++;
      }
    }
    return new PgPlaceholders(out.toString(), order);
  }

  /** The index after the quote closing the literal opened before {@code from} ({@code ''} is an escaped quote). */
  private static int closing(String sql, int from, char quote) {
    int i = from;
    while (i < sql.length()) {
      if (sql.charAt(i) == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return sql.length();
  }

  /** How many parameters the statement refers to (the highest {@code $n}). */
  int arity() {
    return order.stream().mapToInt(Integer::intValue).max().orElse(0);
  }
}
