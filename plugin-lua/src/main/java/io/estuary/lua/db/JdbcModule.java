package io.estuary.lua.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.estuary.lua.LuaModule;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * vmq_diversity's SQL modules: {@code ensure_pool(config)} creates a HikariCP pool once per {@code pool_id};
 * {@code execute(pool_id, sql, params…)} returns the rows of a query as a list of tables (column name → value), or
 * for other statements what VerneMQ returns ({@link #statementResult}). A failure (server down, timeout, bad SQL)
 * raises a Lua error naming the module, the pool and the driver's message; the pool reconnects by itself.
 */
abstract class JdbcModule implements LuaModule {
  private static final Logger log = LoggerFactory.getLogger(JdbcModule.class);

  private final Map<String, Pool> pools = new ConcurrentHashMap<>();
  private final LongAdder statements = new LongAdder();
  private PoolConfig.ModuleDefaults defaults;

  /** One pool and the settings it was made with (statement timeouts follow the pool's timeout). */
  private record Pool(PoolConfig config, HikariDataSource dataSource) {}

  /** The pool's JDBC URL (driver timeouts in it follow {@code config.timeout()}). */
  abstract String jdbcUrl(PoolConfig config);

  /** The default server port ({@code plugins.lua.<name>.port} overrides it). */
  abstract int defaultPort();

  /** The SQL and the parameter order the driver gets for the script's {@code sql}. */
  abstract PgPlaceholders prepare(String sql);

  /** What {@code execute} returns for a statement without rows that changed {@code updateCount} rows. */
  abstract LuaValue statementResult(int updateCount);

  /** Functions beyond {@code ensure_pool} and {@code execute} (mysql's {@code hash_method}). */
  void extend(LuaTable table) {}

  PoolConfig.ModuleDefaults defaults() {
    return defaults;
  }

  @Override
  public void start(Map<String, String> config) {
    defaults = new PoolConfig.ModuleDefaults(name(), defaultPort(), config);
  }

  /** Statements executed since start, failed ones included (tests count database round trips with it). */
  public long statements() {
    return statements.sum();
  }

  @Override
  public LuaTable table() {
    if (defaults == null) {
      start(Map.of());
    }
    LuaTable t = new LuaTable();
    t.set("ensure_pool", new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs args) {
        return ensurePool(PoolConfig.of(args.arg1(), defaults));
      }
    });
    t.set("execute", new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs args) {
        return execute(args);
      }
    });
    extend(t);
    return t;
  }

  private LuaValue ensurePool(PoolConfig config) {
    pools.computeIfAbsent(config.poolId(), id -> {
      HikariConfig hc = new HikariConfig();
      hc.setPoolName("lua-" + name() + "-" + id);
      hc.setJdbcUrl(jdbcUrl(config));
      hc.setUsername(config.user());
      hc.setPassword(config.password());
      hc.setMaximumPoolSize(config.size());
      hc.setMinimumIdle(0);
      hc.setConnectionTimeout(config.timeout().toMillis());
      hc.setValidationTimeout(Math.max(250, config.timeout().toMillis() / 2));
      // a server that is down at start is not fatal: the first execute reports it, later ones reconnect
      hc.setInitializationFailTimeout(-1);
      log.info("lua {} pool {}: {}@{}:{}/{} size {}", name(), id, config.user(), config.host(), config.port(),
          config.database(), config.size());
      return new Pool(config, new HikariDataSource(hc));
    });
    return LuaValue.TRUE;
  }

  private Varargs execute(Varargs args) {
    String poolId = args.checkjstring(1);
    String sql = args.checkjstring(2);
    Pool pool = pools.get(poolId);
    if (pool == null) {
      throw new LuaError(name() + ".execute: no pool '" + poolId + "' (call " + name() + ".ensure_pool first)");
    }
    PgPlaceholders statement = prepare(sql);
    int given = args.narg() - 2;
    statements.increment();
    try (Connection c = pool.dataSource().getConnection();
         PreparedStatement ps = c.prepareStatement(statement.jdbcSql())) {
      ps.setQueryTimeout((int) Math.max(1, (pool.config().timeout().toMillis() + 999) / 1000));
      List<Integer> order = statement.order();
      for (int i = 0; i < order.size(); i++) {
        int index = order.get(i);
        if (index > given) {
          throw new LuaError(name() + ".execute(" + poolId + "): the statement needs parameter " + index + ", " + given
              + " given");
        }
        ps.setObject(i + 1, LuaConversions.toJava(args.arg(2 + index), name() + ".execute"));
      }
      if (ps.execute()) {
        try (ResultSet rs = ps.getResultSet()) {
          return rows(rs);
        }
      }
      return statementResult(ps.getUpdateCount());
    } catch (SQLException e) {
      throw new LuaError(name() + ".execute(" + poolId + ") failed: " + describe(e));
    }
  }

  private static LuaTable rows(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    int columns = md.getColumnCount();
    String[] names = new String[columns];
    for (int i = 0; i < columns; i++) {
      names[i] = md.getColumnLabel(i + 1);
    }
    LuaTable result = new LuaTable();
    int n = 0;
    while (rs.next()) {
      LuaTable row = new LuaTable();
      for (int i = 0; i < columns; i++) {
        Object v = rs.getObject(i + 1);
        if (v != null && !(v instanceof Number || v instanceof Boolean || v instanceof byte[] || v instanceof String)) {
          v = rs.getString(i + 1);
        }
        row.set(names[i], LuaConversions.toLua(v));
      }
      result.set(++n, row);
    }
    return result;
  }

  /** The driver's message and its cause's (a refused connection hides behind the pool's timeout message). */
  static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
    Throwable cause = e.getCause();
    for (int depth = 0; cause != null && depth < 3; depth++, cause = cause.getCause()) {
      if (cause.getMessage() != null && !sb.toString().contains(cause.getMessage())) {
        sb.append(": ").append(cause.getMessage());
      }
    }
    return sb.toString();
  }

  @Override
  public void close() {
    pools.values().forEach(p -> p.dataSource().close());
    pools.clear();
  }
}
