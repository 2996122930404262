package io.estuary.lua.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;

/**
 * The shipped auth/postgres.lua against a real PostgreSQL holding VerneMQ's vmq_auth_acl schema and rows
 * (pgcrypto's crypt() with bf salts, and bcrypt hashes checked by the script).
 */
@Timeout(180)
class PostgresAuthIT {
  static final String SCHEMA = """
      CREATE EXTENSION IF NOT EXISTS pgcrypto;
      CREATE TABLE vmq_auth_acl
      (
        mountpoint character varying(10) NOT NULL,
        client_id character varying(128) NOT NULL,
        username character varying(128) NOT NULL,
        password character varying(128),
        publish_acl json,
        subscribe_acl json,
        CONSTRAINT vmq_auth_acl_primary_key PRIMARY KEY (mountpoint, client_id, username)
      );
      """;
  /** VerneMQ's documented insert: the password hashed by pgcrypto's crypt() with a bcrypt (bf) salt. */
  static final String INSERT_CRYPT = """
      WITH x AS (
          SELECT
              ''::text AS mountpoint,
                 ?::text AS client_id,
                 ?::text AS username,
                 ?::text AS password,
                 gen_salt('bf')::text AS salt,
                 ?::json AS publish_acl,
                 ?::json AS subscribe_acl
          )
      INSERT INTO vmq_auth_acl (mountpoint, client_id, username, password, publish_acl, subscribe_acl)
          SELECT
              x.mountpoint,
              x.client_id,
              x.username,
              crypt(x.password, x.salt),
              publish_acl,
              subscribe_acl
          FROM x
      """;

  static DatabaseServers.Postgres server;

  PostgresModule postgres;
  LuaHarness lua;

  @BeforeAll
  static void startServer() throws Exception {
    server = DatabaseServers.postgres();
    try (Connection c = server.connect(); Statement s = c.createStatement()) {
      s.execute(SCHEMA);
    }
    insert("test-client", "test-user", "123", "[{\"pattern\":\"a/b/c\"},{\"pattern\":\"c/b/#\"}]",
        "[{\"pattern\":\"a/b/c\"},{\"pattern\":\"c/b/#\"}]");
    insert("*", "fleet", "fleet-pw", "[{\"pattern\":\"fleet/%c/#\"}]", "[{\"pattern\":\"cmd/%u/%c\",\"max_qos\":1}]");
    insert("boss", "fleet", "fleet-pw", "[{\"pattern\":\"#\"}]", "[{\"pattern\":\"#\"}]");
    insert("no-acl", "quiet", "quiet-pw", null, null);
    try (Connection c = server.connect();
         PreparedStatement ps = c.prepareStatement("INSERT INTO vmq_auth_acl VALUES ('', 'bc-client', 'bc-user', ?, ?::json, NULL)")) {
      ps.setString(1, LuaHarness.bcryptHash("bc-pw"));
      ps.setString(2, "[{\"pattern\":\"bc/#\",\"max_qos\":2,\"allowed_retain\":false}]");
      ps.executeUpdate();
    }
  }

  static void insert(String clientId, String user, String password, String pubAcl, String subAcl) throws Exception {
    try (Connection c = server.connect(); PreparedStatement ps = c.prepareStatement(INSERT_CRYPT)) {
      ps.setString(1, clientId);
      ps.setString(2, user);
      ps.setString(3, password);
      ps.setString(4, pubAcl);
      ps.setString(5, subAcl);
      assertThat(ps.executeUpdate()).isEqualTo(1);
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
    lua = withMethod("crypt");
  }

  LuaHarness withMethod(String method) {
    postgres = new PostgresModule();
    Map<String, String> config = new HashMap<>(DatabaseServers.moduleConfig("postgres", server, "postgres"));
    config.put("postgres.password_hash_method", method);
    postgres.start(config);
    return new LuaHarness(postgres).load("auth/postgres.lua");
  }

  @org.junit.jupiter.api.AfterEach
  void closeModule() {
    postgres.close();
  }

  @Test
  void a_row_with_a_crypt_password_admits_its_client_and_caches_the_rows_acls() {
    assertThat(lua.register("test-client", "test-user", "123")).isEqualTo(LuaValue.TRUE);

    assertThat(lua.cache).singleElement().satisfies(e -> {
      assertThat(e.clientId()).isEqualTo("test-client");
      assertThat(e.username()).isEqualTo("test-user");
      assertThat(e.mountpoint()).isEmpty();
      assertThat(e.publishAcl()).isEqualTo(LuaHarness.parse("[{\"pattern\":\"a/b/c\"},{\"pattern\":\"c/b/#\"}]"));
      assertThat(e.subscribeAcl()).isEqualTo(LuaHarness.parse("[{\"pattern\":\"a/b/c\"},{\"pattern\":\"c/b/#\"}]"));
    });
  }

  @Test
  void a_wrong_password_an_unknown_user_or_another_client_id_is_denied_and_caches_nothing() {
    assertThat(lua.register("test-client", "test-user", "1234")).isEqualTo(LuaValue.FALSE);
    assertThat(lua.register("test-client", "nobody", "123")).isEqualTo(LuaValue.FALSE);
    assertThat(lua.register("other-client", "test-user", "123")).isEqualTo(LuaValue.FALSE);
    assertThat(lua.cache).isEmpty();
  }

  @Test
  void a_wildcard_client_id_row_admits_any_client_id_of_its_user_and_a_named_row_wins() {
    assertThat(lua.register("truck-17", "fleet", "fleet-pw")).isEqualTo(LuaValue.TRUE);
    assertThat(lua.register("boss", "fleet", "fleet-pw")).isEqualTo(LuaValue.TRUE);
    assertThat(lua.register("truck-18", "fleet", "wrong")).isEqualTo(LuaValue.FALSE);

    assertThat(lua.cache).hasSize(2);
    assertThat(lua.cache.get(0).clientId()).isEqualTo("truck-17");
    assertThat(lua.cache.get(0).publishAcl()).isEqualTo(LuaHarness.parse("[{\"pattern\":\"fleet/%c/#\"}]"));
    assertThat(lua.cache.get(0).subscribeAcl()).isEqualTo(LuaHarness.parse("[{\"pattern\":\"cmd/%u/%c\",\"max_qos\":1}]"));
    assertThat(lua.cache.get(1).clientId()).isEqualTo("boss");
    assertThat(lua.cache.get(1).publishAcl()).isEqualTo(LuaHarness.parse("[{\"pattern\":\"#\"}]"));
  }

  @Test
  void a_row_without_acls_admits_the_client_with_empty_acls() {
    assertThat(lua.register("no-acl", "quiet", "quiet-pw")).isEqualTo(LuaValue.TRUE);
    assertThat(lua.cache).singleElement().satisfies(e -> {
      assertThat(e.publishAcl()).isEqualTo(LuaHarness.parse("[]"));
      assertThat(e.subscribeAcl()).isEqualTo(LuaHarness.parse("[]"));
    });
  }

  @Test
  void bcrypt_hashes_are_checked_by_the_script_when_the_hash_method_is_bcrypt() {
    postgres.close();
    lua = withMethod("bcrypt");

    assertThat(lua.register("bc-client", "bc-user", "bc-pw")).isEqualTo(LuaValue.TRUE);
    assertThat(lua.register("bc-client", "bc-user", "nope")).isEqualTo(LuaValue.FALSE);
    // pgcrypto's bf hashes are bcrypt hashes too: the crypt() rows pass the client-side check
    assertThat(lua.register("test-client", "test-user", "123")).isEqualTo(LuaValue.TRUE);
    assertThat(lua.cache).hasSize(2);
    assertThat(lua.cache.get(0).publishAcl()).isEqualTo(LuaHarness.parse("[{\"pattern\":\"bc/#\",\"max_qos\":2,\"allowed_retain\":false}]"));
  }

  @Test
  void publish_and_subscribe_that_reach_the_script_are_denied_without_a_query() {
    long before = postgres.statements();
    assertThat(lua.hook("auth_on_publish", Map.of("client_id", "test-client", "topic", "x/y", "qos", 0)))
        .isEqualTo(LuaValue.FALSE);
    assertThat(lua.hook("auth_on_subscribe", Map.of("client_id", "test-client"))).isEqualTo(LuaValue.FALSE);
    assertThat(postgres.statements()).isEqualTo(before);
  }

  @Test
  void execute_returns_rows_with_typed_columns_and_true_or_false_for_other_statements() {
    LuaValue rows = lua.eval("""
        postgres.execute(pool, "CREATE TEMP TABLE IF NOT EXISTS t (id int, name text, ok boolean, note text)")
        assert(postgres.execute(pool, "INSERT INTO t VALUES ($1, $2, $3, $4)", 7, "seven", true, nil) == true)
        assert(postgres.execute(pool, "DELETE FROM t WHERE id = $1", 99) == false)
        return postgres.execute(pool, "SELECT id, name, ok, note, $1::text AS echo FROM t WHERE name = $2", "it's", "seven")
        """);
    assertThat(rows.length()).isEqualTo(1);
    LuaValue row = rows.get(1);
    assertThat(row.get("id").isinttype()).isTrue();
    assertThat(row.get("id").toint()).isEqualTo(7);
    assertThat(row.get("name").tojstring()).isEqualTo("seven");
    assertThat(row.get("ok")).isEqualTo(LuaValue.TRUE);
    assertThat(row.get("note").isnil()).isTrue();
    assertThat(row.get("echo").tojstring()).isEqualTo("it's");
  }

  @Test
  void bad_sql_and_an_unknown_pool_raise_lua_errors_that_say_what_failed() {
    assertThatThrownBy(() -> lua.eval("return postgres.execute(pool, 'SELEC 1')"))
        .isInstanceOf(LuaError.class).hasMessageContaining("postgres.execute(auth_postgres) failed")
        .hasMessageContaining("syntax error");
    assertThatThrownBy(() -> lua.eval("return postgres.execute('nope', 'SELECT 1')"))
        .isInstanceOf(LuaError.class).hasMessageContaining("no pool 'nope'");
    assertThatThrownBy(() -> lua.eval("return postgres.execute(pool, 'SELECT $2::text', 'one')"))
        .isInstanceOf(LuaError.class).hasMessageContaining("needs parameter 2, 1 given");
  }

  @Test
  void a_statement_slower_than_the_pool_timeout_is_cancelled_with_a_lua_error() {
    long start = System.nanoTime();
    assertThatThrownBy(() -> lua.eval("return postgres.execute(pool, 'SELECT pg_sleep(30)')"))
        .isInstanceOf(LuaError.class).hasMessageContaining("postgres.execute(auth_postgres) failed")
        .hasMessageContaining("cancel");
    // the pool's timeout is 2s (DatabaseServers.moduleConfig): the script thread is back long before 30s
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void during_an_outage_register_raises_a_clear_error_and_admits_again_once_the_server_is_back() throws Exception {
    assertThat(lua.register("test-client", "test-user", "123")).isEqualTo(LuaValue.TRUE);
    server.stop();
    try {
      assertThatThrownBy(() -> lua.register("test-client", "test-user", "123"))
          .isInstanceOf(LuaError.class)
          .hasMessageContaining("postgres.execute(auth_postgres) failed");
    } finally {
      server.start();
    }
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> lua.register("test-client", "test-user", "123").toboolean());
  }
}
