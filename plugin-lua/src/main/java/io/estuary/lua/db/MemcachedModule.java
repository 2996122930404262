package io.estuary.lua.db;

import io.estuary.lua.LuaModule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code memcached}: {@code ensure_pool(config)} ({@code pool_id}, {@code size}, {@code host}, {@code port},
 * {@code timeout}), {@code get(pool, key)} → value or false, {@code set/add/replace(pool, key, value
 * [, expiration])} → true when stored, {@code delete(pool, key)} → true when it existed, {@code flush_all(pool)}.
 *
 * <p>memcached's text protocol over sockets pooled with commons-pool2 (already on the class path through Jedis):
 * the Java memcached clients on Maven Central are unmaintained (spymemcached, last release 2017) or bring a
 * framework (xmemcached's own NIO layer), and five commands are a hundred lines of protocol.
 */
public final class MemcachedModule implements LuaModule {
  private static final Logger log = LoggerFactory.getLogger(MemcachedModule.class);
  private static final int MAX_KEY = 250; // memcached's protocol.txt: keys up to 250 bytes, no spaces or controls

  private final Map<String, GenericObjectPool<MemcachedConnection>> pools = new ConcurrentHashMap<>();
  private final LongAdder commands = new LongAdder();
  private PoolConfig.ModuleDefaults defaults;

  @Override
  public String name() {
    return "memcached";
  }

  @Override
  public void start(Map<String, String> config) {
    defaults = new PoolConfig.ModuleDefaults(name(), 11211, config);
  }

  /** Commands sent since start, failed ones included. */
  public long commands() {
    return commands.sum();
  }

  /** One memcached call on a borrowed connection. */
  private interface Call {
    LuaValue on(MemcachedConnection c) throws IOException;
  }

  @Override
  public LuaTable table() {
    if (defaults == null) {
      start(Map.of());
    }
    LuaTable t = new LuaTable();
    t.set("ensure_pool", function(args -> {
      PoolConfig c = PoolConfig.of(args.arg1(), defaults);
      int maxValue = args.arg1().get("max_value_size").optint(defaults.integer("max_value_size", 1024 * 1024));
      pools.computeIfAbsent(c.poolId(), id -> pool(c, maxValue));
      return LuaValue.TRUE;
    }));
    t.set("get", function(args -> call(args, "get", c -> {
      byte[] v = c.get(key(args));
      return v == null ? LuaValue.FALSE : LuaString.valueOf(v);
    })));
    for (String verb : new String[] {"set", "add", "replace"}) {
      t.set(verb, function(args -> call(args, verb, c -> LuaValue.valueOf(
          c.store(verb, key(args), LuaConversions.bytes(args.arg(3)), args.optint(4, 0))))));
    }
    t.set("delete", function(args -> call(args, "delete", c -> LuaValue.valueOf(c.delete(key(args))))));
    t.set("flush_all", function(args -> call(args, "flush_all", c -> LuaValue.valueOf(c.flushAll()))));
    return t;
  }

  private static VarArgFunction function(java.util.function.Function<Varargs, LuaValue> f) {
    return new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs args) {
        return f.apply(args);
      }
    };
  }

  private static String key(Varargs args) {
    String key = args.checkjstring(2);
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    if (bytes.length == 0 || bytes.length > MAX_KEY) {
      throw new LuaError("memcached: a key has 1.." + MAX_KEY + " bytes, not " + bytes.length);
    }
    for (byte b : bytes) {
      if ((b & 0xff) <= 0x20 || b == 0x7f) {
        throw new LuaError("memcached: a key holds no spaces or control characters");
      }
    }
    return key;
  }

  private GenericObjectPool<MemcachedConnection> pool(PoolConfig c, int maxValue) {
    Duration timeout = c.timeout();
    GenericObjectPoolConfig<MemcachedConnection> pc = new GenericObjectPoolConfig<>();
    pc.setMaxTotal(c.size());
    pc.setMaxIdle(c.size());
    pc.setMaxWait(timeout);
    pc.setJmxEnabled(false);
    log.info("lua memcached pool {}: {}:{} size {}", c.poolId(), c.host(), c.port(), c.size());
    return new GenericObjectPool<>(new BasePooledObjectFactory<>() {
      @Override
      public MemcachedConnection create() throws IOException {
        return new MemcachedConnection(c.host(), c.port(), timeout, maxValue);
      }

      @Override
      public PooledObject<MemcachedConnection> wrap(MemcachedConnection conn) {
        return new DefaultPooledObject<>(conn);
      }

      @Override
      public boolean validateObject(PooledObject<MemcachedConnection> p) {
        return p.getObject().isOpen();
      }

      @Override
      public void destroyObject(PooledObject<MemcachedConnection> p) {
        p.getObject().close();
      }
    }, pc);
  }

  private LuaValue call(Varargs args, String what, Call call) {
    String poolId = args.checkjstring(1);
    GenericObjectPool<MemcachedConnection> pool = pools.get(poolId);
    if (pool == null) {
      throw new LuaError("memcached." + what + ": no pool '" + poolId + "' (call memcached.ensure_pool first)");
    }
    commands.increment();
    MemcachedConnection c;
    try {
      c = pool.borrowObject();
    } catch (Exception e) {
      throw new LuaError("memcached." + what + "(" + poolId + ") failed: " + JdbcModule.describe(e));
    }
    try {
      LuaValue result = call.on(c);
      pool.returnObject(c);
      return result;
    } catch (IOException e) {
      invalidate(pool, c);
      throw new LuaError("memcached." + what + "(" + poolId + ") failed: " + e.getMessage());
    } catch (RuntimeException e) {
      pool.returnObject(c);
      throw e;
    }
  }

  private static void invalidate(GenericObjectPool<MemcachedConnection> pool, MemcachedConnection c) {
    try {
      pool.invalidateObject(c);
    } catch (Exception e) {
      c.close();
    }
  }

  @Override
  public void close() {
    pools.values().forEach(GenericObjectPool::close);
    pools.clear();
  }
}
