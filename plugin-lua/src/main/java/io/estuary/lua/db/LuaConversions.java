package io.estuary.lua.db;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/** Java values from drivers to Lua values and back, the way vmq_diversity's drivers hand them to scripts. */
final class LuaConversions {
  private LuaConversions() {}

  /** A driver value as Lua: numbers stay numbers, text and bytes become strings, SQL NULL becomes nil. */
  static LuaValue toLua(Object v) {
    if (v == null) {
      return LuaValue.NIL;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return LuaValue.valueOf(((Number) v).intValue());
    }
    if (v instanceof Long l) {
      return l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? LuaValue.valueOf(l.intValue()) : LuaValue.valueOf(l.doubleValue());
    }
    if (v instanceof BigDecimal d) {
      return d.scale() <= 0 && d.abs().compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) <= 0
          ? LuaValue.valueOf(d.intValueExact())
          : LuaValue.valueOf(d.doubleValue());
    }
    if (v instanceof BigInteger b) {
      return LuaValue.valueOf(b.doubleValue());
    }
    if (v instanceof Number n) {
      return LuaValue.valueOf(n.doubleValue());
    }
    if (v instanceof Boolean b) {
      return LuaValue.valueOf(b);
    }
    if (v instanceof byte[] bytes) {
      return LuaString.valueOf(bytes);
    }
    if (v instanceof List<?> list) {
      LuaTable t = new LuaTable();
      int i = 1;
      for (Object o : list) {
        t.set(i++, o == null ? LuaValue.FALSE : toLua(o));
      }
      return t;
    }
    return LuaValue.valueOf(v.toString());
  }

  /** A Lua argument as a driver parameter: strings as text, integers as long, other numbers as double. */
  static Object toJava(LuaValue v, String what) {
    return switch (v.type()) {
      case LuaValue.TNIL -> null;
      case LuaValue.TBOOLEAN -> v.toboolean();
      case LuaValue.TNUMBER -> v.isinttype() || (v.todouble() == Math.rint(v.todouble()) && Math.abs(v.todouble()) < 9.0e15)
          ? (Object) v.tolong()
          : (Object) v.todouble();
      case LuaValue.TSTRING -> v.tojstring();
      default -> throw new LuaError(what + ": a parameter must be a string, number, boolean or nil, not " + v.typename());
    };
  }

  /** The raw bytes of a Lua string argument (payloads may be binary). */
  static byte[] bytes(LuaValue v) {
    LuaString s = v.checkstring();
    byte[] out = new byte[s.rawlen()];
    s.copyInto(0, out, 0, out.length);
    return out;
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
