package io.estuary.lua.db;

import io.estuary.lua.LuaModule;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * {@code redis}: {@code ensure_pool(config)} (VerneMQ's keys {@code pool_id}, {@code size}, {@code password},
 * {@code host}, {@code port}, {@code database}; Estuary's {@code user} for Redis 6 ACL users and {@code timeout})
 * and {@code cmd(pool_id, command, args…)}. The command string is split at spaces, as vmq_diversity does
 * ({@code redis.cmd(pool, "get " .. key)}); further arguments are passed as they are, so they may hold spaces.
 * Replies: a bulk or status reply is a string ({@code "OK"}), an integer a number, an array a list, a nil reply
 * nil; an error reply or a connection failure raises a Lua error.
 */
public final class RedisModule implements LuaModule {
  private static final Logger log = LoggerFactory.getLogger(RedisModule.class);

  private final Map<String, JedisPool> pools = new ConcurrentHashMap<>();
  private final LongAdder commands = new LongAdder();
  private PoolConfig.ModuleDefaults defaults;

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public void start(Map<String, String> config) {
    defaults = new PoolConfig.ModuleDefaults(name(), 6379, config);
  }

  /** Commands sent since start, failed ones included. */
  public long commands() {
    return commands.sum();
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
        PoolConfig c = PoolConfig.of(args.arg1(), defaults);
        int database = args.arg1().get("database").isnil() ? defaults.integer("database", 0)
            : args.arg1().get("database").checkint();
        pools.computeIfAbsent(c.poolId(), id -> pool(c, database));
        return LuaValue.TRUE;
      }
    });
    t.set("cmd", new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs args) {
        return cmd(args);
      }
    });
    return t;
  }

  private JedisPool pool(PoolConfig c, int database) {
    int ms = (int) c.timeout().toMillis();
    DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(ms).socketTimeoutMillis(ms).database(database).ssl(c.ssl())
        .clientName("estuary-lua");
    if (!c.password().isEmpty()) {
      client.password(c.password());
    }
    if (!c.user().isEmpty()) {
      client.user(c.user());
    }
    GenericObjectPoolConfig<Jedis> pool = new GenericObjectPoolConfig<>();
    pool.setMaxTotal(c.size());
    pool.setMaxIdle(c.size());
    pool.setMinIdle(0);
    pool.setMaxWait(Duration.ofMillis(ms));
    pool.setJmxEnabled(false);
    log.info("lua redis pool {}: {}:{} db {} size {}", c.poolId(), c.host(), c.port(), database, c.size());
    return new JedisPool(pool, new HostAndPort(c.host(), c.port()), client.build());
  }

  private Varargs cmd(Varargs args) {
    String poolId = args.checkjstring(1);
    JedisPool pool = pools.get(poolId);
    if (pool == null) {
      throw new LuaError("redis.cmd: no pool '" + poolId + "' (call redis.ensure_pool first)");
    }
    List<byte[]> words = new ArrayList<>();
    for (String w : args.checkjstring(2).trim().split("\\s+")) {
      if (!w.isEmpty()) {
        words.add(w.getBytes(StandardCharsets.UTF_8));
      }
    }
    for (int i = 3; i <= args.narg(); i++) {
      LuaValue a = args.arg(i);
      if (!a.isstring()) {
        throw new LuaError("redis.cmd(" + poolId + "): argument " + (i - 2) + " must be a string or number, not "
            + a.typename());
      }
      words.add(LuaConversions.bytes(a));
    }
    if (words.isEmpty()) {
      throw new LuaError("redis.cmd(" + poolId + "): no command");
    }
    byte[] command = words.remove(0);
    ProtocolCommand pc = () -> command;
    commands.increment();
    try (Jedis jedis = pool.getResource()) {
      return LuaConversions.toLua(jedis.sendCommand(pc, words.toArray(new byte[0][])));
    } catch (JedisDataException e) {
      throw new LuaError("redis.cmd(" + poolId + ") " + new String(command, StandardCharsets.UTF_8) + ": " + e.getMessage());
    } catch (JedisException e) {
      throw new LuaError("redis.cmd(" + poolId + ") failed: " + JdbcModule.describe(e));
    }
  }

  @Override
  public void close() {
    pools.values().forEach(JedisPool::close);
    pools.clear();
  }
}
