package io.estuary.lua.db;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * {@code mysql} (MySQL and MariaDB through MariaDB Connector/J): {@code ensure_pool}, {@code execute} with
 * {@code ?} placeholders (a statement without rows returns true, as vmq_diversity does), and {@code hash_method()}:
 * the SQL that hashes the password parameter for {@code plugins.lua.mysql.password_hash_method} ({@code password}
 * → {@code PASSWORD(?)}, {@code md5}, {@code sha1}, {@code sha256} → {@code SHA2(?, 256)}), as VerneMQ's
 * {@code vmq_diversity.mysql.password_hash_method}.
 */
public final class MysqlModule extends JdbcModule {

  @Override
  public String name() {
    return "mysql";
  }

  @Override
  int defaultPort() {
    return 3306;
  }

  @Override
  String jdbcUrl(PoolConfig c) {
    long ms = c.timeout().toMillis();
    return "jdbc:mariadb://" + c.host() + ":" + c.port() + "/" + URLEncoder.encode(c.database(), StandardCharsets.UTF_8)
        + "?connectTimeout=" + ms + "&socketTimeout=" + (ms + 5000)
        + (c.ssl() ? "&sslMode=trust" : "");
  }

  @Override
  PgPlaceholders prepare(String sql) {
    // JDBC's own ? placeholders: parameters bind in the order given
    int count = 0;
    boolean quoted = false;
    char quote = 0;
    for (int i = 0; i < sql.length(); i++) {
      char ch = sql.charAt(i);
      if (quoted) {
        if (ch == '\\') {
          i++;
        } else if (ch == quote) {
          quoted = false;
        }
      } else if (ch == '\'' || ch == '"' || ch == '`') {
        quoted = true;
        quote = ch;
      } else if (ch == '?') {
        count++;
      }
    }
    List<Integer> order = new ArrayList<>(count);
    for (int i = 1; i <= count; i++) {
      order.add(i);
    }
    return new PgPlaceholders(sql, order);
  }

  @Override
  LuaValue statementResult(int updateCount) {
    return LuaValue.TRUE;
  }

  @Override
  public void start(java.util.Map<String, String> config) {
    super.start(config);
    hashMethodSql();
  }

  /** The SQL of {@code plugins.lua.mysql.password_hash_method}, checked at start. */
  private String hashMethodSql() {
    String method = defaults().string("password_hash_method", "password").toLowerCase(Locale.ROOT);
    return switch (method) {
      case "password" -> "PASSWORD(?)";
      case "md5" -> "MD5(?)";
      case "sha1" -> "SHA1(?)";
      case "sha256" -> "SHA2(?, 256)";
      default -> throw new IllegalArgumentException(
          "plugins.lua.mysql.password_hash_method must be password, md5, sha1 or sha256, not " + method);
    };
  }

  @Override
  void extend(LuaTable table) {
    String sql = hashMethodSql();
    table.set("hash_method", new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs args) {
        return LuaValue.valueOf(sql);
      }
    });
  }
}
