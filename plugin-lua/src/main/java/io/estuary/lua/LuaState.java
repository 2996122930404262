package io.estuary.lua;

import io.estuary.api.hooks.HookName;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.Bit32Lib;
import org.luaj.vm2.lib.DebugLib;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.ZeroArgFunction;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseMathLib;
import org.luaj.vm2.lib.jse.JseOsLib;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One isolated Lua state of a script: its own globals, the sandboxed standard library (base without
 * {@code dofile}/{@code loadfile}/{@code collectgarbage}, {@code string}, {@code table}, {@code math}, {@code bit32},
 * {@code os} with {@code time}/{@code clock}/{@code date}/{@code difftime} only; no {@code io}, {@code debug},
 * {@code coroutine}, {@code luajava}, no loading of Java classes or native libraries), {@code require} over the
 * script path, the modules, and the script's top level run once. Used by one thread at a time (the pool hands it
 * out); the time limit is an instruction-count hook that checks the call's deadline every {@value #CHECK_EVERY}
 * instructions and throws {@link Overrun}, which a script's {@code pcall} cannot catch.
 */
final class LuaState {
  private static final Logger LOG = LoggerFactory.getLogger("io.estuary.lua.script");
  static final int CHECK_EVERY = 1000;
  /** One string metatable for every state (LuaJ keeps it in a static): scripts cannot reach or change it. */
  private static volatile LuaTable stringMeta;

  /** A call ran past its limit. An Error, so that neither a script's pcall nor LuaJ turns it into a Lua error. */
  static final class Overrun extends Error {
    Overrun() {
      super("call time limit exceeded", null, false, false);
    }
  }

  private final Globals g = new Globals();
  private final Path file;
  private final String name;
  private final EnumMap<HookName, LuaValue> hooks = new EnumMap<>(HookName.class);
  private long deadline;
  private boolean limited;

  LuaState(Path file, List<Path> scriptPath, List<LuaModule> modules, long topLevelNanos) throws IOException {
    this.file = file;
    this.name = file.getFileName().toString();
    g.load(new JseBaseLib());
    g.load(new PackageLib());
    g.load(new Bit32Lib());
    g.load(new TableLib());
    g.load(new StringLib());
    g.load(new JseMathLib());
    g.load(new JseOsLib());
    g.load(new DebugLib());
    LoadState.install(g);
    LuaC.install(g);
    sandbox(scriptPath);
    LuaTable loaded = (LuaTable) g.get("package").get("loaded");
    for (LuaModule m : modules) {
      LuaTable t = m.table();
      g.set(m.name(), t);
      loaded.set(m.name(), t);
    }
    String source = Files.readString(file, StandardCharsets.UTF_8);
    run(topLevelNanos, () -> g.load(source, "@" + name).call());
    for (HookName h : HookName.values()) {
      LuaValue f = hookFunction(h.wireName());
      if (f.isfunction()) {
        hooks.put(h, f);
      }
    }
  }

  private void sandbox(List<Path> scriptPath) {
    LuaValue sethook = g.get("debug").get("sethook");
    g.set("debug", LuaValue.NIL);
    LuaTable pkg = (LuaTable) g.get("package");
    LuaTable loaded = (LuaTable) pkg.get("loaded");
    for (String lib : new String[] {"debug", "io", "coroutine", "luajava"}) {
      loaded.set(lib, LuaValue.NIL);
    }
    pkg.set("loadlib", LuaValue.NIL);
    pkg.set("searchers", new LuaTable());
    pkg.set("cpath", LuaValue.valueOf(""));
    pkg.set("path", LuaValue.valueOf(String.join(";", scriptPath.stream().map(p -> p + "/?.lua").toList())));
    for (String f : new String[] {"dofile", "loadfile", "collectgarbage"}) {
      g.set(f, LuaValue.NIL);
    }
    LuaValue os = g.get("os");
    LuaTable safeOs = new LuaTable();
    for (String f : new String[] {"time", "clock", "date", "difftime"}) {
      safeOs.set(f, os.get(f));
    }
    g.set("os", safeOs);
    loaded.set("os", safeOs);
    g.set("print", new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs args) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= args.narg(); i++) {
          b.append(i > 1 ? "\t" : "").append(args.arg(i).tojstring());
        }
        LOG.info("[{}] {}", name, b);
        return LuaValue.NONE;
      }
    });
    g.set("require", new Require(scriptPath, loaded));
    // string methods ("s:upper()") go through one shared, protected metatable
    synchronized (LuaState.class) {
      if (stringMeta == null) {
        LuaTable meta = new LuaTable();
        LuaTable index = new LuaTable();
        LuaValue mine = g.get("string");
        for (LuaValue k : ((LuaTable) mine).keys()) {
          index.set(k, mine.get(k));
        }
        meta.set(LuaValue.INDEX, index);
        meta.set(LuaValue.METATABLE, LuaValue.FALSE);
        stringMeta = meta;
      }
      LuaString.s_metatable = stringMeta;
    }
    sethook.invoke(LuaValue.varargsOf(new LuaValue[] {new ZeroArgFunction() {
      @Override
      public LuaValue call() {
        if (limited && System.nanoTime() - deadline > 0) {
          throw new Overrun();
        }
        return LuaValue.NONE;
      }
    }, LuaValue.EMPTYSTRING, LuaValue.valueOf(CHECK_EVERY)}));
  }

  /** VerneMQ's {@code hooks.<name>} (or {@code <name>_m5}), else a global function of that name. */
  private LuaValue hookFunction(String hook) {
    LuaValue table = g.get("hooks");
    if (table.istable()) {
      LuaValue f = table.get(hook);
      return f.isfunction() ? f : table.get(hook + "_m5");
    }
    LuaValue f = g.get(hook);
    return f.isfunction() ? f : g.get(hook + "_m5");
  }

  java.util.Set<HookName> hooks() {
    return hooks.keySet();
  }

  boolean has(HookName h) {
    return hooks.containsKey(h);
  }

  /** Calls the script's function for {@code hook} with one argument built in this state; its first result. */
  LuaValue call(HookName hook, LuaValue arg, long limitNanos) {
    LuaValue f = hooks.get(hook);
    if (f == null) {
      return LuaValue.NIL;
    }
    LuaValue[] out = new LuaValue[1];
    run(limitNanos, () -> out[0] = f.invoke(arg).arg1());
    return out[0];
  }

  private void run(long limitNanos, Runnable r) {
    deadline = System.nanoTime() + limitNanos;
    limited = true;
    try {
      r.run();
    } finally {
      limited = false;
    }
  }

  Path file() {
    return file;
  }

  /** {@code require(name)}: {@code package.loaded}, else {@code <dir>/<name with dots as slashes>.lua} on the path. */
  private final class Require extends OneArgFunction {
    private final List<Path> path;
    private final LuaTable loaded;

    Require(List<Path> path, LuaTable loaded) {
      this.path = path;
      this.loaded = loaded;
    }

    @Override
    public LuaValue call(LuaValue arg) {
      String mod = arg.checkjstring();
      LuaValue have = loaded.get(mod);
      if (!have.isnil()) {
        return have;
      }
      String key = mod.replace('.', '/');
      have = loaded.get(key);
      if (!have.isnil()) {
        return have;
      }
      String rel = key + ".lua";
      for (Path dir : path) {
        Path base = dir.toAbsolutePath().normalize();
        Path f = base.resolve(rel).normalize();
        if (f.startsWith(base) && Files.isRegularFile(f)) {
          LuaValue chunk;
          try (Reader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            chunk = g.load(in, "@" + base.relativize(f));
          } catch (IOException e) {
            throw new LuaError("require \"" + mod + "\": " + e.getMessage());
          }
          LuaValue v = chunk.call(LuaValue.valueOf(mod));
          v = v.isnil() ? LuaValue.TRUE : v;
          loaded.set(mod, v);
          loaded.set(key, v);
          return v;
        }
      }
      throw new LuaError("module '" + mod + "' not found on the script path " + path);
    }
  }

  /** For tests and the modules' unit tests: evaluates a chunk in this state. */
  Varargs eval(String chunk, long limitNanos) {
    Varargs[] out = new Varargs[1];
    run(limitNanos, () -> out[0] = g.load(chunk, "=eval").invoke());
    return out[0];
  }

  Map<String, Object> describe() {
    return Map.of("file", file.toString(), "hooks", hooks.keySet().stream().map(HookName::wireName).toList());
  }
}
