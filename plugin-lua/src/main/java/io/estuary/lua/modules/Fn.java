package io.estuary.lua.modules;

import java.util.function.Function;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/** A Lua function from a lambda (the modules' tables are built of these). */
final class Fn extends VarArgFunction {
  private final Function<Varargs, Varargs> body;

  private Fn(String name, Function<Varargs, Varargs> body) {
    this.name = name;
    this.body = body;
  }

  static LuaValue of(String name, Function<Varargs, Varargs> body) {
    return new Fn(name, body);
  }

  @Override
  public Varargs invoke(Varargs args) {
    return body.apply(args);
  }

  /** The bytes of a Lua string (payloads, passwords: not necessarily UTF-8). */
  static byte[] bytes(LuaValue v) {
    org.luaj.vm2.LuaString s = v.checkstring();
    byte[] b = new byte[s.rawlen()];
    s.copyInto(0, b, 0, b.length);
    return b;
  }
}
