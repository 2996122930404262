package io.estuary.lua.db;

import java.time.Duration;
import java.util.Map;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;

/**
 * One {@code ensure_pool(config)} call: the keys a script passes (VerneMQ's {@code pool_id}, {@code size},
 * {@code user}, {@code password}, {@code host}, {@code port}, {@code database}, {@code ssl}; Estuary's
 * {@code timeout} in milliseconds) over the module's defaults from {@code plugins.lua.<module>.*}.
 */
record PoolConfig(String poolId, int size, String user, String password, String host, int port, String database,
    boolean ssl, Duration timeout) {

  PoolConfig {
    if (poolId == null || poolId.isEmpty()) {
      throw new LuaError("ensure_pool: config.pool_id is required");
    }
    if (size < 1 || size > 1000) {
      throw new LuaError("ensure_pool(" + poolId + "): size must be 1..1000, not " + size);
    }
    if (port < 1 || port > 65535) {
      throw new LuaError("ensure_pool(" + poolId + "): port must be 1..65535, not " + port);
    }
    if (timeout.toMillis() < 250) {
      throw new LuaError("ensure_pool(" + poolId + "): timeout must be at least 250 ms");
    }
  }

  /** The pool of {@code table} over {@code defaults} (a module's {@link ModuleDefaults}). */
  static PoolConfig of(LuaValue table, ModuleDefaults defaults) {
    if (!table.istable()) {
      throw new LuaError(defaults.module() + ".ensure_pool: expects a config table");
    }
    return new PoolConfig(
        string(table, "pool_id", null),
        integer(table, "size", defaults.integer("pool_size", 5)),
        string(table, "user", defaults.string("user", "")),
        string(table, "password", defaults.string("password", "")),
        string(table, "host", defaults.string("host", "127.0.0.1")),
        integer(table, "port", defaults.integer("port", defaults.defaultPort())),
        string(table, "database", defaults.string("database", "")),
        bool(table, "ssl", defaults.bool("ssl", false)),
        Duration.ofMillis(integer(table, "timeout", defaults.millis("timeout", 5000))));
  }

  private static String string(LuaValue table, String key, String fallback) {
    LuaValue v = table.get(key);
    return v.isnil() ? fallback : v.tojstring();
  }

  private static int integer(LuaValue table, String key, int fallback) {
    LuaValue v = table.get(key);
    if (v.isnil()) {
      return fallback;
    }
    if (!v.isnumber()) {
      throw new LuaError("ensure_pool: config." + key + " must be a number, not " + v.typename());
    }
    return v.toint();
  }

  private static boolean bool(LuaValue table, String key, boolean fallback) {
    LuaValue v = table.get(key);
    if (v.isnil()) {
      return fallback;
    }
    if (v.isboolean()) {
      return v.toboolean();
    }
    return ModuleDefaults.parseBool(v.tojstring(), key);
  }

  /** The module defaults: {@code plugins.lua.<module>.<key>} from the plugin config given to {@code start}. */
  record ModuleDefaults(String module, int defaultPort, Map<String, String> config) {

    ModuleDefaults {
      config = Map.copyOf(config);
    }

    String string(String key, String fallback) {
      String v = config.get(module + "." + key);
      if (v == null) {
        v = config.get("plugins.lua." + module + "." + key);
      }
      return v == null ? fallback : v;
    }

    int integer(String key, int fallback) {
      String v = string(key, null);
      if (v == null) {
        return fallback;
      }
      try {
        return Integer.parseInt(v.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("plugins.lua." + module + "." + key + " must be a number, not " + v);
      }
    }

    /** A duration key: {@code 5s}, {@code 500ms}, {@code 1m} or a bare number of milliseconds. */
    int millis(String key, int fallback) {
      String v = string(key, null);
      if (v == null) {
        return fallback;
      }
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*(\\d+)\\s*(ms|s|m)?\\s*").matcher(v);
      if (!m.matches()) {
        throw new IllegalArgumentException("plugins.lua." + module + "." + key + " must be a duration (5s, 500ms), not " + v);
      }
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "ms" : m.group(2);
      long ms = switch (unit) {
        case "s" -> n * 1000;
        case "m" -> n * 60_000;
        default -> n;
      };
      return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    boolean bool(String key, boolean fallback) {
      String v = string(key, null);
      return v == null ? fallback : parseBool(v, key);
    }

    static boolean parseBool(String v, String key) {
      return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "true", "on", "yes" -> true;
        case "false", "off", "no" -> false;
        default -> throw new LuaError(key + " must be on/off or true/false, not " + v);
      };
    }
  }
}
