package io.estuary.lua.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

class PoolConfigTest {
  static final PoolConfig.ModuleDefaults DEFAULTS = new PoolConfig.ModuleDefaults("postgres", 5432,
      Map.of("postgres.host", "db.internal", "postgres.user", "vmq", "postgres.timeout", "2s", "postgres.pool_size", "7"));

  static LuaTable table(Object... kv) {
    LuaTable t = new LuaTable();
    for (int i = 0; i < kv.length; i += 2) {
      Object v = kv[i + 1];
      t.set((String) kv[i], v instanceof Integer n ? LuaValue.valueOf(n) : v instanceof Boolean b ? LuaValue.valueOf(b)
          : LuaValue.valueOf((String) v));
    }
    return t;
  }

  @Test
  void the_config_table_overrides_the_module_defaults_key_by_key() {
    PoolConfig c = PoolConfig.of(table("pool_id", "p", "host", "10.0.0.1", "size", 3, "ssl", true), DEFAULTS);
    assertThat(c.host()).isEqualTo("10.0.0.1");
    assertThat(c.size()).isEqualTo(3);
    assertThat(c.ssl()).isTrue();
    assertThat(c.user()).isEqualTo("vmq");
    assertThat(c.port()).isEqualTo(5432);
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(PoolConfig.of(table("pool_id", "q"), DEFAULTS).size()).isEqualTo(7);
  }

  @Test
  void defaults_also_come_under_their_full_plugins_lua_name_and_durations_take_units() {
    PoolConfig.ModuleDefaults d = new PoolConfig.ModuleDefaults("redis", 6379,
        Map.of("plugins.lua.redis.port", "6380", "plugins.lua.redis.timeout", "750ms"));
    PoolConfig c = PoolConfig.of(table("pool_id", "r"), d);
    assertThat(c.port()).isEqualTo(6380);
    assertThat(c.timeout()).isEqualTo(Duration.ofMillis(750));
  }

  @Test
  void a_missing_pool_id_bad_numbers_and_a_short_timeout_are_lua_errors() {
    assertThatThrownBy(() -> PoolConfig.of(table("size", 3), DEFAULTS)).isInstanceOf(LuaError.class)
        .hasMessageContaining("pool_id is required");
    assertThatThrownBy(() -> PoolConfig.of(table("pool_id", "p", "size", 0), DEFAULTS)).isInstanceOf(LuaError.class)
        .hasMessageContaining("size must be 1..1000");
    assertThatThrownBy(() -> PoolConfig.of(table("pool_id", "p", "port", 70000), DEFAULTS)).isInstanceOf(LuaError.class)
        .hasMessageContaining("port must be 1..65535");
    assertThatThrownBy(() -> PoolConfig.of(table("pool_id", "p", "size", "many"), DEFAULTS)).isInstanceOf(LuaError.class)
        .hasMessageContaining("config.size must be a number");
    assertThatThrownBy(() -> PoolConfig.of(table("pool_id", "p", "timeout", 10), DEFAULTS)).isInstanceOf(LuaError.class)
        .hasMessageContaining("at least 250 ms");
    assertThatThrownBy(() -> PoolConfig.of(LuaValue.valueOf("p"), DEFAULTS)).isInstanceOf(LuaError.class)
        .hasMessageContaining("expects a config table");
  }

  @Test
  void an_unknown_hash_method_stops_the_module_at_start() {
    assertThatThrownBy(() -> new MysqlModule().start(Map.of("mysql.password_hash_method", "rot13")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("password, md5, sha1 or sha256");
    assertThatThrownBy(() -> new PostgresModule().start(Map.of("postgres.password_hash_method", "md5")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("crypt or bcrypt");
  }
}
