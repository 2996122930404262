package io.estuary.lua.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.ClientInfo;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.hooks.PublishModifiers;
import io.estuary.api.hooks.PublishRequest;
import io.estuary.api.hooks.RegisterRequest;
import io.estuary.api.hooks.Verdict;
import io.estuary.lua.LuaPlugin;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped auth/mysql.lua and auth/redis.lua under the real Lua runtime (its json, bcrypt and auth_cache
 * modules, not the tests' stand-ins) against real MariaDB and Redis: a row admits its client, a wrong password
 * is refused, and the cached ACL answers a publish.
 */
@Timeout(180)
class ShippedScriptsRuntimeIT {
  @TempDir
  Path dir;

  Path scripts(String script) throws Exception {
    for (String s : new String[] {"auth/auth_commons.lua", script}) {
      Path to = dir.resolve(s);
      Files.createDirectories(to.getParent());
      try (InputStream in = getClass().getResourceAsStream("/lua/" + s)) {
        Files.copy(in, to);
      }
    }
    return dir;
  }

  static ClientInfo client(String id, String user) {
    return new ClientInfo(id, user, "mqtt", "tcp:default", new InetSocketAddress("127.0.0.1", 40000), "");
  }

  static Verdict<io.estuary.api.hooks.RegisterModifiers> register(LuaPlugin p, String id, String user, String password) throws Exception {
    return p.authOnRegister(new RegisterRequest(client(id, user), password.getBytes(StandardCharsets.UTF_8), List.of()))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static Verdict<PublishModifiers> publish(LuaPlugin p, String id, String user, String topic) throws Exception {
    return p.authOnPublish(new PublishRequest(client(id, user), Message.of(topic, Payload.utf8("x"), 1, false)))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  LuaPlugin plugin(String script, Map<String, String> db) throws Exception {
    Map<String, String> settings = new HashMap<>(db);
    settings.put("script_path", scripts(script).toString());
    settings.put("scripts", script);
    settings.put("call_timeout", "5s");
    LuaPlugin p = new LuaPlugin();
    p.start(settings);
    return p;
  }

  @Test
  void auth_mysql_lua_admits_refuses_and_caches_with_the_real_runtime() throws Exception {
    try (DatabaseServers.MariaDb db = DatabaseServers.mariadb()) {
      try (Connection c = db.connect(); Statement s = c.createStatement()) {
        s.execute(MysqlAuthIT.SCHEMA);
        s.execute("INSERT INTO vmq_auth_acl VALUES ('', 'test-client', 'test-user', PASSWORD('123'), "
            + "'[{\"pattern\":\"a/%c/#\"}]', '[]')");
      }
      LuaPlugin p = plugin("auth/mysql.lua", DatabaseServers.moduleConfig("mysql", db, "vmq"));
      try {
        assertThat(register(p, "test-client", "test-user", "wrong").isError()).isTrue();
        assertThat(register(p, "test-client", "test-user", "123").isOk()).isTrue();
        assertThat(publish(p, "test-client", "test-user", "a/test-client/t").isOk()).isTrue();
        assertThat(publish(p, "test-client", "test-user", "a/other/t").isError()).isTrue();
      } finally {
        p.stop();
      }
    }
  }

  @Test
  void auth_redis_lua_admits_refuses_and_caches_with_the_real_runtime() throws Exception {
    try (DatabaseServers.Redis db = DatabaseServers.redis()) {
      Map<String, String> config = new HashMap<>(DatabaseServers.moduleConfig("redis", db, "0"));
      config.remove("redis.user");
      RedisModule writer = new RedisModule();
      writer.start(config);
      LuaHarness lua = new LuaHarness(writer);
      lua.eval("redis.ensure_pool({pool_id = 'w'})");
      lua.globals.set("v", "{\"passhash\":\"" + LuaHarness.bcryptHash("123")
          + "\",\"publish_acl\":[{\"pattern\":\"a/%c/#\"}]}");
      // the key exactly as VerneMQ's docs write it: the JSON array without spaces
      lua.eval("assert(redis.cmd('w', 'SET', '[\"\",\"test-client\",\"test-user\"]', v) == 'OK')");
      writer.close();
      LuaPlugin p = plugin("auth/redis.lua", config);
      try {
        assertThat(register(p, "test-client", "test-user", "wrong").isError()).isTrue();
        assertThat(register(p, "test-client", "test-user", "123").isOk()).isTrue();
        assertThat(publish(p, "test-client", "test-user", "a/test-client/t").isOk()).isTrue();
        assertThat(publish(p, "test-client", "test-user", "b/t").isError()).isTrue();
      } finally {
        p.stop();
      }
    }
  }
}
