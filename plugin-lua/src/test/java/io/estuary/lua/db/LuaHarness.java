package io.estuary.lua.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.estuary.lua.LuaModule;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * A minimal Lua state for the database modules' tests: LuaJ's standard globals, the modules under test, and
 * small stand-ins for the runtime's {@code json}, {@code bcrypt}, {@code log} and {@code auth_cache} (the
 * latter records what a script inserts). {@code require} finds the shipped scripts under {@code lua/}.
 */
final class LuaHarness {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One {@code auth_cache.insert} call. */
  record CacheEntry(String mountpoint, String clientId, String username, JsonNode publishAcl, JsonNode subscribeAcl) {}

  final Globals globals = JsePlatform.standardGlobals();
  final List<CacheEntry> cache = new CopyOnWriteArrayList<>();
  final List<String> logged = new CopyOnWriteArrayList<>();

  LuaHarness(LuaModule... modules) {
    for (LuaModule m : modules) {
      globals.set(m.name(), m.table());
    }
    globals.set("json", json());
    globals.set("bcrypt", bcrypt());
    globals.set("auth_cache", authCache());
    LuaTable log = new LuaTable();
    for (String level : new String[] {"debug", "info", "warning", "error"}) {
      log.set(level, fn(a -> {
        logged.add(level + ": " + a.checkjstring(1));
        return LuaValue.NONE;
      }));
    }
    globals.set("log", log);
    // the shipped scripts are class path resources (lua/auth/…), as they are in plugin-lua's jar
    globals.finder = name -> LuaHarness.class.getResourceAsStream("/" + name);
    globals.get("package").set("path", "lua/?.lua");
  }

  /** Loads a shipped script ({@code auth/postgres.lua}) as the runtime would. */
  LuaHarness load(String script) {
    globals.loadfile("lua/" + script).call();
    return this;
  }

  /** Calls {@code hooks.<hook>(args)} with a table of {@code fields}. */
  LuaValue hook(String hook, Map<String, Object> fields) {
    LuaTable t = new LuaTable();
    fields.forEach((k, v) -> t.set(k, v instanceof Boolean b ? LuaValue.valueOf(b)
        : v instanceof Integer i ? LuaValue.valueOf(i) : LuaValue.valueOf(String.valueOf(v))));
    return globals.get("hooks").get(hook).call(t);
  }

  /** {@code auth_on_register} for a client on the default mountpoint. */
  LuaValue register(String clientId, String username, String password) {
    return hook("auth_on_register", Map.of("client_id", clientId, "username", username, "password", password,
        "mountpoint", "", "peer_addr", "127.0.0.1", "peer_port", 40000, "clean_session", true));
  }

  LuaValue eval(String chunk) {
    return globals.load(chunk).call();
  }

  /** A JSON text as a tree, to compare ACLs whatever the order of their keys. */
  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static String bcryptHash(String password) {
    byte[] salt = new byte[16];
    new java.security.SecureRandom().nextBytes(salt);
    return OpenBSDBCrypt.generate("2a", password.toCharArray(), salt, 6);
  }

  private LuaTable json() {
    LuaTable t = new LuaTable();
    t.set("encode", fn(a -> LuaValue.valueOf(toJson(a.arg1()).toString())));
    t.set("decode", fn(a -> {
      try {
        return toLua(JSON.readTree(a.checkjstring(1)));
      } catch (Exception e) {
        throw new LuaError("json.decode: " + e.getMessage());
      }
    }));
    return t;
  }

  private static LuaTable bcrypt() {
    LuaTable t = new LuaTable();
    // hashpw(password, hash_or_salt) returns the hash for that salt: equal to the stored hash when it matches
    t.set("hashpw", fn(a -> {
      String stored = a.checkjstring(2);
      String password = a.checkjstring(1);
      try {
        return LuaValue.valueOf(OpenBSDBCrypt.checkPassword(stored, password.toCharArray()) ? stored : "$2a$mismatch");
      } catch (IllegalArgumentException e) {
        throw new LuaError("bcrypt.hashpw: " + e.getMessage());
      }
    }));
    return t;
  }

  private LuaTable authCache() {
    LuaTable t = new LuaTable();
    t.set("insert", fn(a -> {
      cache.add(new CacheEntry(a.checkjstring(1), a.checkjstring(2), a.checkjstring(3), toJson(a.arg(4)),
          toJson(a.arg(5))));
      return LuaValue.NONE;
    }));
    return t;
  }

  static JsonNode toJson(LuaValue v) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return switch (v.type()) {
      case LuaValue.TNIL -> f.nullNode();
      case LuaValue.TBOOLEAN -> f.booleanNode(v.toboolean());
      case LuaValue.TNUMBER -> v.isinttype() ? f.numberNode(v.toint()) : f.numberNode(v.todouble());
      case LuaValue.TSTRING -> f.textNode(v.tojstring());
      case LuaValue.TTABLE -> {
        if (v.length() > 0 || v.next(LuaValue.NIL).arg1().isnil()) {
          ArrayNode a = f.arrayNode();
          for (int i = 1; i <= v.length(); i++) {
            a.add(toJson(v.get(i)));
          }
          yield a;
        }
        ObjectNode o = f.objectNode();
        LuaValue k = LuaValue.NIL;
        while (true) {
          Varargs n = v.next(k);
          if ((k = n.arg1()).isnil()) {
            break;
          }
          o.set(k.tojstring(), toJson(n.arg(2)));
        }
        yield o;
      }
      default -> throw new LuaError("json.encode: cannot encode a " + v.typename());
    };
  }

  static LuaValue toLua(JsonNode n) {
    if (n == null || n.isNull()) {
      return LuaValue.NIL;
    }
    if (n.isBoolean()) {
      return LuaValue.valueOf(n.booleanValue());
    }
    if (n.isIntegralNumber()) {
      return LuaValue.valueOf(n.intValue());
    }
    if (n.isNumber()) {
      return LuaValue.valueOf(n.doubleValue());
    }
    if (n.isTextual()) {
      return LuaValue.valueOf(n.textValue());
    }
    LuaTable t = new LuaTable();
    if (n.isArray()) {
      int i = 1;
      for (JsonNode e : n) {
        t.set(i++, toLua(e));
      }
      return t;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      t.set(e.getKey(), toLua(e.getValue()));
    }
    return t;
  }

  static VarArgFunction fn(java.util.function.Function<Varargs, Varargs> f) {
    return new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs args) {
        return f.apply(args);
      }
    };
  }

  static List<String> strings(LuaValue list) {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= list.length(); i++) {
      out.add(list.get(i).tojstring());
    }
    return out;
  }
}
