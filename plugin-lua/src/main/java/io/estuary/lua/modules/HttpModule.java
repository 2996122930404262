package io.estuary.lua.modules;

import io.estuary.lua.LuaModule;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * vmq_diversity's {@code http} (hackney's shapes): {@code http.ensure_pool({pool_id = "p", size = 10})}, then
 * {@code http.get|post|put|delete|head|patch(pool, url, body, headers)} → {@code {status = 200, headers = {...},
 * client_ref = ref}} or {@code false} when the request failed (logged), and {@code http.body(ref)} → the response
 * body. One {@link HttpClient} per pool (java.net.http keeps its connections alive). A request is bounded by
 * {@code plugins.lua.http.timeout} and its body by {@code plugins.lua.http.max_body} bytes. Blocks the script thread.
 */
public final class HttpModule implements LuaModule {
  private static final Logger LOG = LoggerFactory.getLogger(HttpModule.class);
  private final Map<String, HttpClient> pools = new ConcurrentHashMap<>();
  private final Map<String, ExecutorService> executors = new ConcurrentHashMap<>();
  private volatile Duration timeout = Duration.ofSeconds(5);
  private volatile int maxBody = 1 << 20;
  private volatile int maxPools = 64;

  @Override
  public String name() {
    return "http";
  }

  @Override
  public void start(Map<String, String> config) {
    timeout = Duration.ofMillis(Long.parseLong(config.getOrDefault("http.timeout_ms", "5000").trim()));
    maxBody = Integer.parseInt(config.getOrDefault("http.max_body", "1048576").trim());
    maxPools = Integer.parseInt(config.getOrDefault("http.max_pools", "64").trim());
  }

  @Override
  public LuaTable table() {
    LuaTable t = new LuaTable();
    t.set("ensure_pool", Fn.of("ensure_pool", a -> {
      LuaTable c = a.checktable(1);
      String id = c.get("pool_id").checkjstring();
      int size = c.get("size").optint(10);
      if (!pools.containsKey(id) && pools.size() >= maxPools) {
        throw new LuaError("http.ensure_pool: at most " + maxPools + " pools");
      }
      pools.computeIfAbsent(id, k -> {
        ExecutorService ex = Executors.newFixedThreadPool(Math.max(1, Math.min(size, 64)), r -> {
          Thread th = new Thread(r, "estuary-lua-http-" + k);
          th.setDaemon(true);
          return th;
        });
        executors.put(k, ex);
        return HttpClient.newBuilder().connectTimeout(timeout).executor(ex).followRedirects(HttpClient.Redirect.NEVER).build();
      });
      return LuaValue.TRUE;
    }));
    for (String m : List.of("get", "post", "put", "delete", "head", "patch")) {
      t.set(m, Fn.of(m, a -> request(m.toUpperCase(java.util.Locale.ROOT), a)));
    }
    t.set("body", Fn.of("body", a -> {
      LuaValue ref = a.arg1();
      if (!(ref instanceof LuaUserdata u) || !(u.m_instance instanceof byte[] b)) {
        throw new LuaError("http.body: not a client_ref");
      }
      return LuaValue.valueOf(b);
    }));
    return t;
  }

  private Varargs request(String method, Varargs a) {
    String pool = a.checkjstring(1);
    HttpClient client = pools.get(pool);
    if (client == null) {
      throw new LuaError("http: no pool \"" + pool + "\" (http.ensure_pool first)");
    }
    URI uri;
    try {
      uri = URI.create(a.checkjstring(2));
    } catch (IllegalArgumentException e) {
      throw new LuaError("http: bad url: " + e.getMessage());
    }
    LuaValue body = a.arg(3);
    HttpRequest.BodyPublisher pub = body.isnil() || (body.isstring() && body.length() == 0)
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(Fn.bytes(body));
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).method(method, pub);
    LuaValue headers = a.arg(4);
    if (headers.istable()) {
      for (LuaValue k : ((LuaTable) headers).keys()) {
        try {
          b.header(k.checkjstring(), headers.get(k).checkjstring());
        } catch (IllegalArgumentException e) {
          throw new LuaError("http: header " + k.tojstring() + ": " + e.getMessage());
        }
      }
    }
    try {
      HttpResponse<InputStream> r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      byte[] data;
      try (InputStream in = r.body()) {
        data = in.readNBytes(maxBody + 1);
      }
      if (data.length > maxBody) {
        LOG.warn("http {} {}: response body over {} bytes, refused", method, uri, maxBody);
        return LuaValue.FALSE;
      }
      LuaTable out = new LuaTable();
      out.set("status", r.statusCode());
      LuaTable h = new LuaTable();
      r.headers().map().forEach((k, v) -> h.set(k, String.join(",", v)));
      out.set("headers", h);
      out.set("client_ref", new LuaUserdata(data));
      return out;
    } catch (IOException e) {
      LOG.warn("http {} {}: {}", method, uri, e.toString());
      return LuaValue.FALSE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return LuaValue.FALSE;
    }
  }

  @Override
  public void close() {
    executors.values().forEach(ExecutorService::shutdownNow);
    pools.clear();
    executors.clear();
  }
}
