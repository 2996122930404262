package io.estuary.lua.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.Statement;
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

/** The shipped auth/mysql.lua against a real MariaDB holding VerneMQ's vmq_auth_acl schema and rows. */
@Timeout(180)
class MysqlAuthIT {
  static final String SCHEMA = """
      CREATE TABLE vmq_auth_acl
      (
        mountpoint VARCHAR(10) NOT NULL,
        client_id VARCHAR(128) NOT NULL,
        username VARCHAR(128) NOT NULL,
        password VARCHAR(128),
        publish_acl TEXT,
        subscribe_acl TEXT,
        CONSTRAINT vmq_auth_acl_primary_key PRIMARY KEY (mountpoint, client_id, username)
      )
      """;

  static DatabaseServers.MariaDb server;

  MysqlModule mysql;
  LuaHarness lua;

  @BeforeAll
  static void startServer() throws Exception {
    server = DatabaseServers.mariadb();
    try (Connection c = server.connect(); Statement s = c.createStatement()) {
      s.execute(SCHEMA);
      // VerneMQ's documented insert, hashed with PASSWORD() (password_hash_method = password)
      s.execute("""
          INSERT INTO vmq_auth_acl
              (mountpoint, client_id, username,
               password, publish_acl, subscribe_acl)
          VALUES
              ('', 'test-client', 'test-user', PASSWORD('123'),
               '[{"pattern":"a/b/c"},{"pattern":"c/b/#"}]',
               '[{"pattern":"a/b/c"},{"pattern":"c/b/#"}]')
          """);
      s.execute("INSERT INTO vmq_auth_acl VALUES ('', '*', 'fleet', PASSWORD('fleet-pw'), "
          + "'[{\"pattern\":\"fleet/%c/#\"}]', '[{\"pattern\":\"cmd/%u/%c\",\"max_qos\":1}]')");
      s.execute("INSERT INTO vmq_auth_acl VALUES ('', 'boss', 'fleet', PASSWORD('fleet-pw'), '[{\"pattern\":\"#\"}]', NULL)");
      s.execute("INSERT INTO vmq_auth_acl VALUES ('', 'sha-client', 'sha-user', SHA2('sha-pw', 256), "
          + "'[{\"pattern\":\"sha/#\"}]', '[]')");
    }
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void loadScript() {
    lua = withMethod("password");
  }

  LuaHarness withMethod(String method) {
    mysql = new MysqlModule();
    Map<String, String> config = new HashMap<>(DatabaseServers.moduleConfig("mysql", server, "vmq"));
    config.put("mysql.password_hash_method", method);
    mysql.start(config);
    return new LuaHarness(mysql).load("auth/mysql.lua");
  }

  @AfterEach
  void closeModule() {
    mysql.close();
  }

  @Test
  void a_row_with_a_password_hash_admits_its_client_and_caches_the_rows_acls() {
    assertThat(lua.register("test-client", "test-user", "123")).isEqualTo(LuaValue.TRUE);

    assertThat(lua.cache).singleElement().satisfies(e -> {
      assertThat(e.clientId()).isEqualTo("test-client");
      assertThat(e.publishAcl()).isEqualTo(LuaHarness.parse("[{\"pattern\":\"a/b/c\"},{\"pattern\":\"c/b/#\"}]"));
      assertThat(e.subscribeAcl()).isEqualTo(LuaHarness.parse("[{\"pattern\":\"a/b/c\"},{\"pattern\":\"c/b/#\"}]"));
    });
  }

  @Test
  void a_wrong_password_an_unknown_user_or_another_client_id_is_denied_and_caches_nothing() {
    assertThat(lua.register("test-client", "test-user", "124")).isEqualTo(LuaValue.FALSE);
    assertThat(lua.register("test-client", "nobody", "123")).isEqualTo(LuaValue.FALSE);
    assertThat(lua.register("other", "test-user", "123")).isEqualTo(LuaValue.FALSE);
    assertThat(lua.cache).isEmpty();
  }

  @Test
  void a_wildcard_client_id_row_admits_any_client_id_of_its_user_and_a_named_row_wins() {
    assertThat(lua.register("truck-17", "fleet", "fleet-pw")).isEqualTo(LuaValue.TRUE);
    assertThat(lua.register("boss", "fleet", "fleet-pw")).isEqualTo(LuaValue.TRUE);
    assertThat(lua.register("truck-18", "fleet", "wrong")).isEqualTo(LuaValue.FALSE);

    assertThat(lua.cache).hasSize(2);
    assertThat(lua.cache.get(0).publishAcl()).isEqualTo(LuaHarness.parse("[{\"pattern\":\"fleet/%c/#\"}]"));
    assertThat(lua.cache.get(1).clientId()).isEqualTo("boss");
    assertThat(lua.cache.get(1).publishAcl()).isEqualTo(LuaHarness.parse("[{\"pattern\":\"#\"}]"));
    assertThat(lua.cache.get(1).subscribeAcl()).isEqualTo(LuaHarness.parse("[]"));
  }

  @Test
  void the_sha256_hash_method_checks_sha2_rows() {
    mysql.close();
    lua = withMethod("sha256");

    assertThat(lua.register("sha-client", "sha-user", "sha-pw")).isEqualTo(LuaValue.TRUE);
    assertThat(lua.register("test-client", "test-user", "123")).isEqualTo(LuaValue.FALSE);
    assertThat(lua.eval("return mysql.hash_method()").tojstring()).isEqualTo("SHA2(?, 256)");
  }

  @Test
  void execute_returns_rows_and_true_for_other_statements() {
    LuaValue rows = lua.eval("""
        assert(mysql.execute(pool, "CREATE TABLE IF NOT EXISTS t (id INT, name TEXT, note TEXT)") == true)
        assert(mysql.execute(pool, "INSERT INTO t VALUES (?, ?, ?)", 7, "it's", nil) == true)
        return mysql.execute(pool, "SELECT id, name, note FROM t WHERE name = ? AND '?' = '?'", "it's")
        """);
    assertThat(rows.length()).isEqualTo(1);
    assertThat(rows.get(1).get("id").toint()).isEqualTo(7);
    assertThat(rows.get(1).get("name").tojstring()).isEqualTo("it's");
    assertThat(rows.get(1).get("note").isnil()).isTrue();
  }

  @Test
  void during_an_outage_register_raises_a_clear_error_and_admits_again_once_the_server_is_back() throws Exception {
    assertThat(lua.register("test-client", "test-user", "123")).isEqualTo(LuaValue.TRUE);
    server.stop();
    try {
      assertThatThrownBy(() -> lua.register("test-client", "test-user", "123"))
          .isInstanceOf(LuaError.class)
          .hasMessageContaining("mysql.execute(auth_mysql) failed");
    } finally {
      server.start();
    }
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> lua.register("test-client", "test-user", "123").toboolean());
  }
}
