package io.estuary.lua.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;

/**
 * The shipped auth/redis.lua against a real Redis holding VerneMQ's documented entries: the key
 * {@code ["mountpoint","client_id","username"]}, the value a JSON object with a bcrypt passhash and the ACLs.
 */
@Timeout(120)
class RedisAuthIT {
  static DatabaseServers.Redis server;

  RedisModule redis;
  LuaHarness lua;

  @BeforeAll
  static void startServer() throws Exception {
    server = DatabaseServers.redis();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void loadScript() {
    redis = new RedisModule();
    // Redis has no user in VerneMQ's keys: requirepass is the default user's password
    Map<String, String> config = new HashMap<>(DatabaseServers.moduleConfig("redis", server, "0"));
    config.remove("redis.user");
    redis.start(config);
    lua = new LuaHarness(redis).load("auth/redis.lua");
    set("[\"\",\"test-client\",\"test-user\"]", "{\"passhash\":\"" + LuaHarness.bcryptHash("123")
        + "\",\"publish_acl\":[{\"pattern\":\"a/b/c\"},{\"pattern\":\"c/b/#\"}],"
        + "\"subscribe_acl\":[{\"pattern\":\"a/+/c\",\"max_qos\":1}]}");
    set("[\"\",\"*\",\"fleet\"]", "{\"passhash\":\"" + LuaHarness.bcryptHash("fleet-pw")
        + "\",\"publish_acl\":[{\"pattern\":\"fleet/%c/#\"}]}");
  }

  void set(String key, String value) {
    lua.globals.set("k", key);
    lua.globals.set("v", value);
    assertThat(lua.eval("return redis.cmd('auth_redis', 'SET', k, v)").tojstring()).isEqualTo("OK");
  }

  @AfterEach
  void closeModule() {
    redis.close();
  }

  @Test
  void an_entry_with_a_bcrypt_passhash_admits_its_client_and_caches_its_acls() {
    assertThat(lua.register("test-client", "test-user", "123")).isEqualTo(LuaValue.TRUE);
    assertThat(lua.cache).singleElement().satisfies(e -> {
      assertThat(e.publishAcl()).isEqualTo(LuaHarness.parse("[{\"pattern\":\"a/b/c\"},{\"pattern\":\"c/b/#\"}]"));
      assertThat(e.subscribeAcl()).isEqualTo(LuaHarness.parse("[{\"pattern\":\"a/+/c\",\"max_qos\":1}]"));
    });
  }

  @Test
  void a_wrong_password_or_an_unknown_key_is_denied_and_caches_nothing() {
    assertThat(lua.register("test-client", "test-user", "1234")).isEqualTo(LuaValue.FALSE);
    assertThat(lua.register("other", "test-user", "123")).isEqualTo(LuaValue.FALSE);
    assertThat(lua.cache).isEmpty();
  }

  @Test
  void a_wildcard_client_id_key_admits_any_client_id_of_its_user() {
    assertThat(lua.register("truck 17", "fleet", "fleet-pw")).isEqualTo(LuaValue.TRUE);
    assertThat(lua.register("truck-18", "fleet", "nope")).isEqualTo(LuaValue.FALSE);
    assertThat(lua.cache).singleElement().satisfies(e -> {
      assertThat(e.clientId()).isEqualTo("truck 17");
      assertThat(e.subscribeAcl()).isEqualTo(LuaHarness.parse("[]"));
    });
  }

  @Test
  void cmd_splits_the_command_string_and_converts_the_replies() {
    lua.eval("""
        assert(redis.cmd(pool, "SET counter 41") == "OK")
        assert(redis.cmd(pool, "INCR counter") == 42)
        assert(redis.cmd(pool, "GET missing") == nil)
        redis.cmd(pool, "DEL list")
        redis.cmd(pool, "RPUSH list", "a b", "c")
        local l = redis.cmd(pool, "LRANGE list 0 -1")
        assert(#l == 2 and l[1] == "a b" and l[2] == "c")
        """);
    assertThatThrownBy(() -> lua.eval("return redis.cmd(pool, 'INCR list')"))
        .isInstanceOf(LuaError.class).hasMessageContaining("WRONGTYPE");
    assertThat(redis.commands()).isGreaterThan(6);
  }

  @Test
  void during_an_outage_register_raises_a_clear_error_and_admits_again_once_the_server_is_back() throws Exception {
    assertThat(lua.register("test-client", "test-user", "123")).isEqualTo(LuaValue.TRUE);
    server.stop();
    try {
      assertThatThrownBy(() -> lua.register("test-client", "test-user", "123"))
          .isInstanceOf(LuaError.class).hasMessageContaining("redis.cmd(auth_redis) failed");
    } finally {
      server.start();
    }
    // the server came back empty (no persistence): the entry is written again, as an operator would
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
      loadScriptEntries();
      assertThat(lua.register("test-client", "test-user", "123")).isEqualTo(LuaValue.TRUE);
    });
  }

  private void loadScriptEntries() {
    set("[\"\",\"test-client\",\"test-user\"]", "{\"passhash\":\"" + LuaHarness.bcryptHash("123") + "\"}");
  }
}
