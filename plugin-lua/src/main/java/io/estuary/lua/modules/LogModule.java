package io.estuary.lua.modules;

import io.estuary.lua.LuaModule;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code log.info|warning|error|debug(msg, ...)} to the logger {@code io.estuary.lua.script}. */
public final class LogModule implements LuaModule {
  private static final Logger LOG = LoggerFactory.getLogger("io.estuary.lua.script");

  @Override
  public String name() {
    return "log";
  }

  private static String text(Varargs a) {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= a.narg(); i++) {
      b.append(i > 1 ? " " : "").append(a.arg(i).tojstring());
    }
    return b.toString();
  }

  @Override
  public LuaTable table() {
    LuaTable t = new LuaTable();
    t.set("info", Fn.of("info", a -> {
      LOG.info("{}", text(a));
      return LuaValue.NONE;
    }));
    t.set("warning", Fn.of("warning", a -> {
      LOG.warn("{}", text(a));
      return LuaValue.NONE;
    }));
    t.set("error", Fn.of("error", a -> {
      LOG.error("{}", text(a));
      return LuaValue.NONE;
    }));
    t.set("debug", Fn.of("debug", a -> {
      LOG.debug("{}", text(a));
      return LuaValue.NONE;
    }));
    return t;
  }
}
