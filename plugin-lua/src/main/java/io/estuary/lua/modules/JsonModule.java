package io.estuary.lua.modules;

import io.estuary.lua.LuaModule;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * {@code json.encode(value)} → a JSON string, {@code json.decode(string)} → a value (objects and arrays become
 * tables, arrays 1-based; {@code null} becomes nil), or {@code nil, reason} for malformed input. A table whose
 * keys are 1..n is an array, an empty table is {@code []} (as vmq_diversity's jsx makes it), other tables are
 * objects. Nesting is limited to {@value #MAX_DEPTH} levels both ways (hostile input).
 */
public final class JsonModule implements LuaModule {
  static final int MAX_DEPTH = 64;

  @Override
  public String name() {
    return "json";
  }

  @Override
  public LuaTable table() {
    LuaTable t = new LuaTable();
    t.set("encode", Fn.of("encode", a -> LuaValue.valueOf(encode(a.arg1()))));
    t.set("decode", Fn.of("decode", a -> {
      try {
        return new Parser(a.checkjstring(1)).parse();
      } catch (LuaError e) {
        return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf(e.getMessage()));
      }
    }));
    return t;
  }

  public static String encode(LuaValue v) {
    StringBuilder b = new StringBuilder();
    encode(v, b, 0);
    return b.toString();
  }

  private static void encode(LuaValue v, StringBuilder b, int depth) {
    if (depth > MAX_DEPTH) {
      throw new LuaError("json.encode: nested deeper than " + MAX_DEPTH);
    }
    switch (v.type()) {
      case LuaValue.TNIL -> b.append("null");
      case LuaValue.TBOOLEAN -> b.append(v.toboolean());
      case LuaValue.TNUMBER -> {
        if (v.isinttype()) {
          b.append(v.toint());
        } else {
          double d = v.todouble();
          if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new LuaError("json.encode: " + d + " has no JSON form");
          }
          if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            b.append((long) d);
          } else {
            b.append(d);
          }
        }
      }
      case LuaValue.TSTRING -> string(v.tojstring(), b);
      case LuaValue.TTABLE -> {
        LuaTable t = (LuaTable) v;
        LuaValue[] keys = t.keys();
        int n = t.length();
        if (keys.length == n) {
          b.append('[');
          for (int i = 1; i <= n; i++) {
            b.append(i > 1 ? "," : "");
            encode(t.get(i), b, depth + 1);
          }
          b.append(']');
        } else {
          b.append('{');
          boolean first = true;
          for (LuaValue k : keys) {
            if (!k.isstring()) {
              throw new LuaError("json.encode: a key of an object must be a string or number, not " + k.typename());
            }
            b.append(first ? "" : ",");
            first = false;
            string(k.tojstring(), b);
            b.append(':');
            encode(t.get(k), b, depth + 1);
          }
          b.append('}');
        }
      }
      default -> throw new LuaError("json.encode: cannot encode a " + v.typename());
    }
  }

  private static void string(String s, StringBuilder b) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }

  /** A recursive-descent parser over the text; every error is a LuaError with the offset. */
  static final class Parser {
    private final String s;
    private int i;

    Parser(String s) {
      this.s = s;
    }

    Varargs parse() {
      LuaValue v = value(0);
      ws();
      if (i != s.length()) {
        fail("trailing characters");
      }
      return v;
    }

    private void fail(String why) {
      throw new LuaError("json.decode: " + why + " at offset " + i);
    }

    private void ws() {
      while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
    }

    private LuaValue value(int depth) {
      if (depth > MAX_DEPTH) {
        fail("nested deeper than " + MAX_DEPTH);
      }
      ws();
      if (i >= s.length()) {
        fail("unexpected end");
      }
      char c = s.charAt(i);
      switch (c) {
        case '{' -> {
          i++;
          LuaTable t = new LuaTable();
          ws();
          if (peek('}')) {
            return t;
          }
          do {
            ws();
            if (i >= s.length() || s.charAt(i) != '"') {
              fail("expected a key");
            }
            String k = str();
            ws();
            expect(':');
            LuaValue v = value(depth + 1);
            t.set(k, v);
            ws();
          } while (peek(','));
          expect('}');
          return t;
        }
        case '[' -> {
          i++;
          LuaTable t = new LuaTable();
          ws();
          if (peek(']')) {
            return t;
          }
          int n = 1;
          do {
            t.set(n++, value(depth + 1));
            ws();
          } while (peek(','));
          expect(']');
          return t;
        }
        case '"' -> {
          return LuaValue.valueOf(str());
        }
        case 't' -> {
          word("true");
          return LuaValue.TRUE;
        }
        case 'f' -> {
          word("false");
          return LuaValue.FALSE;
        }
        case 'n' -> {
          word("null");
          return LuaValue.NIL;
        }
        default -> {
          return number();
        }
      }
    }

    private boolean peek(char c) {
      if (i < s.length() && s.charAt(i) == c) {
        i++;
        return true;
      }
      return false;
    }

    private void expect(char c) {
      if (!peek(c)) {
        fail("expected '" + c + "'");
      }
    }

    private void word(String w) {
      if (!s.startsWith(w, i)) {
        fail("unexpected token");
      }
      i += w.length();
    }

    private LuaValue number() {
      int start = i;
      while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
      String n = s.substring(start, i);
      if (n.isEmpty()) {
        fail("unexpected character");
      }
      try {
        if (n.indexOf('.') < 0 && n.indexOf('e') < 0 && n.indexOf('E') < 0 && n.length() < 10) {
          return LuaValue.valueOf(Integer.parseInt(n));
        }
        return LuaValue.valueOf(Double.parseDouble(n));
      } catch (NumberFormatException e) {
        fail("bad number");
        return LuaValue.NIL;
      }
    }

    private String str() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        if (i >= s.length()) {
          fail("unterminated string");
        }
        char c = s.charAt(i++);
        if (c == '"') {
          return b.toString();
        }
        if (c != '\\') {
          b.append(c);
          continue;
        }
        if (i >= s.length()) {
          fail("unterminated string");
        }
        char e = s.charAt(i++);
        switch (e) {
          case '"', '\\', '/' -> b.append(e);
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'n' -> b.append('\n');
          case 'r' -> b.append('\r');
          case 't' -> b.append('\t');
          case 'u' -> {
            if (i + 4 > s.length()) {
              fail("bad \\u escape");
            }
            try {
              b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            } catch (NumberFormatException x) {
              fail("bad \\u escape");
            }
            i += 4;
          }
          default -> fail("bad escape");
        }
      }
    }
  }
}
