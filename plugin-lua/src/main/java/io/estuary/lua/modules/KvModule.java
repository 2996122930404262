package io.estuary.lua.modules;

import io.estuary.lua.LuaModule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * vmq_diversity's {@code kv} (ETS tables shared by every state of every script): {@code kv.ensure_table({name = n,
 * type = "set"|"bag"})}, {@code kv.insert(n, {k = v, ...})}, {@code kv.insert_new(n, {...})} (false if a key is
 * there), {@code kv.lookup(n, k)} → a list of values ({@code {}} when absent), {@code kv.delete(n, k)},
 * {@code kv.delete_all(n)}. Keys are strings, numbers or booleans; values are those or tables (copied in and out, so
 * states never share a mutable table). Bounded: {@code plugins.lua.kv.max_tables} tables of
 * {@code plugins.lua.kv.max_entries} keys; inserting past the bound is a Lua error. Survives script reloads.
 */
public final class KvModule implements LuaModule {
  private final Map<String, Table> tables = new ConcurrentHashMap<>();
  private volatile int maxTables = 64;
  private volatile int maxEntries = 1_000_000;

  private record Table(boolean bag, Map<LuaValue, List<LuaValue>> rows) {}

  @Override
  public String name() {
    return "kv";
  }

  @Override
  public void start(Map<String, String> config) {
    maxTables = Integer.parseInt(config.getOrDefault("kv.max_tables", "64").trim());
    maxEntries = Integer.parseInt(config.getOrDefault("kv.max_entries", "1000000").trim());
  }

  private Table table(LuaValue name) {
    Table t = tables.get(name.checkjstring());
    if (t == null) {
      throw new LuaError("kv: no table \"" + name.tojstring() + "\" (kv.ensure_table first)");
    }
    return t;
  }

  private static LuaValue key(LuaValue k) {
    return switch (k.type()) {
      case LuaValue.TNUMBER -> LuaValue.valueOf(k.todouble());
      case LuaValue.TBOOLEAN -> k;
      case LuaValue.TSTRING -> k.checkstring();
      default -> throw new LuaError("kv: a key is a string, number or boolean, not " + k.typename());
    };
  }

  static LuaValue copy(LuaValue v, int depth) {
    if (depth > 32) {
      throw new LuaError("kv: value nested too deep");
    }
    if (v.istable()) {
      LuaTable out = new LuaTable();
      LuaTable in = (LuaTable) v;
      for (LuaValue k : in.keys()) {
        out.set(copy(k, depth + 1), copy(in.get(k), depth + 1));
      }
      return out;
    }
    if (v.isfunction() || v.isuserdata() || v.isthread()) {
      throw new LuaError("kv: cannot store a " + v.typename());
    }
    return v;
  }

  private Varargs insert(Varargs a, boolean onlyNew) {
    Table t = table(a.arg(1));
    LuaTable objs = a.checktable(2);
    synchronized (t) {
      List<LuaValue[]> rows = new ArrayList<>();
      for (LuaValue k : objs.keys()) {
        LuaValue key = key(k);
        if (onlyNew && t.rows.containsKey(key)) {
          return LuaValue.FALSE;
        }
        rows.add(new LuaValue[] {key, copy(objs.get(k), 0)});
      }
      for (LuaValue[] r : rows) {
        if (!t.rows.containsKey(r[0]) && t.rows.size() >= maxEntries) {
          throw new LuaError("kv: table \"" + a.arg(1).tojstring() + "\" is full (" + maxEntries + " keys)");
        }
        List<LuaValue> vs = t.bag ? t.rows.computeIfAbsent(r[0], x -> new ArrayList<>()) : new ArrayList<>(1);
        vs.add(r[1]);
        t.rows.put(r[0], vs);
      }
    }
    return LuaValue.TRUE;
  }

  @Override
  public LuaTable table() {
    LuaTable t = new LuaTable();
    t.set("ensure_table", Fn.of("ensure_table", a -> {
      LuaValue opts = a.arg1();
      String name = opts.istable() ? opts.get("name").checkjstring() : opts.checkjstring();
      String type = opts.istable() ? opts.get("type").optjstring("set") : "set";
      if (!tables.containsKey(name) && tables.size() >= maxTables) {
        throw new LuaError("kv: at most " + maxTables + " tables");
      }
      tables.computeIfAbsent(name, n -> new Table(type.contains("bag"), new ConcurrentHashMap<>()));
      return LuaValue.valueOf(name);
    }));
    t.set("insert", Fn.of("insert", a -> insert(a, false)));
    t.set("insert_new", Fn.of("insert_new", a -> insert(a, true)));
    t.set("lookup", Fn.of("lookup", a -> {
      Table tab = table(a.arg(1));
      LuaTable out = new LuaTable();
      synchronized (tab) {
        List<LuaValue> vs = tab.rows.get(key(a.arg(2)));
        if (vs != null) {
          int i = 1;
          for (LuaValue v : vs) {
            out.set(i++, copy(v, 0));
          }
        }
      }
      return out;
    }));
    t.set("delete", Fn.of("delete", a -> {
      Table tab = table(a.arg(1));
      synchronized (tab) {
        tab.rows.remove(key(a.arg(2)));
      }
      return LuaValue.TRUE;
    }));
    t.set("delete_all", Fn.of("delete_all", a -> {
      Table tab = table(a.arg(1));
      synchronized (tab) {
        tab.rows.clear();
      }
      return LuaValue.TRUE;
    }));
    return t;
  }
}
