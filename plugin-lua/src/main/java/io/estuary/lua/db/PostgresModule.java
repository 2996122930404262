package io.estuary.lua.db;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * {@code postgres}: {@code ensure_pool}, {@code execute} with PostgreSQL's {@code $n} placeholders (a statement
 * without rows returns true when it changed a row, false otherwise, as vmq_diversity does), and Estuary's
 * {@code hash_method()} returning {@code plugins.lua.postgres.password_hash_method} ({@code crypt}: the server
 * checks with pgcrypto; {@code bcrypt}: the script checks with {@code bcrypt.hashpw}).
 */
public final class PostgresModule extends JdbcModule {

  @Override
  public String name() {
    return "postgres";
  }

  @Override
  int defaultPort() {
    return 5432;
  }

  @Override
  String jdbcUrl(PoolConfig c) {
    long seconds = Math.max(1, (c.timeout().toMillis() + 999) / 1000);
    return "jdbc:postgresql://" + c.host() + ":" + c.port() + "/" + URLEncoder.encode(c.database(), StandardCharsets.UTF_8)
        + "?connectTimeout=" + seconds + "&socketTimeout=" + (seconds + 5)
        // strings bind untyped, so the server infers a parameter's type from the SQL as with $n in psql
        + "&stringtype=unspecified&ApplicationName=estuary-lua"
        + (c.ssl() ? "&sslmode=require" : "&sslmode=disable");
  }

  @Override
  PgPlaceholders prepare(String sql) {
    return PgPlaceholders.translate(sql);
  }

  @Override
  LuaValue statementResult(int updateCount) {
    return LuaValue.valueOf(updateCount > 0);
  }

  @Override
  public void start(java.util.Map<String, String> config) {
    super.start(config);
    hashMethodSql();
  }

  /** {@code plugins.lua.postgres.password_hash_method}, checked at start. */
  private String hashMethodSql() {
    String method = defaults().string("password_hash_method", "crypt").toLowerCase(Locale.ROOT);
    if (!method.equals("crypt") && !method.equals("bcrypt")) {
      throw new IllegalArgumentException("plugins.lua.postgres.password_hash_method must be crypt or bcrypt, not " + method);
    }
    return method;
  }

  @Override
  void extend(LuaTable table) {
    String method = hashMethodSql();
    table.set("hash_method", new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs args) {
        return LuaValue.valueOf(method);
      }
    });
  }
}
