package io.estuary.lua;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.Subscription;
import io.estuary.api.hooks.PublishModifiers;
import io.estuary.api.hooks.SubscribeModifiers;
import io.estuary.api.hooks.Verdict;
import io.estuary.lua.modules.AuthCacheModule;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.Varargs;

/** Each module of vmq_diversity, by Lua snippets run in a state with every module loaded. */
class ModulesTest {
  @TempDir
  Path dir;
  private final List<LuaModule> modules = new ArrayList<>();
  private LuaState a;
  private LuaState b;

  @BeforeEach
  void states() throws Exception {
    for (LuaModule m : ServiceLoader.load(LuaModule.class)) {
      m.start(Map.of("bcrypt.default_log_rounds", "4", "kv.max_entries", "3"));
      modules.add(m);
    }
    Path f = dir.resolve("empty.lua");
    Files.writeString(f, "");
    a = new LuaState(f, List.of(dir), modules, 1_000_000_000L);
    b = new LuaState(f, List.of(dir), modules, 1_000_000_000L);
  }

  private Varargs run(LuaState s, String chunk) {
    return s.eval(chunk, 2_000_000_000L);
  }

  private String str(LuaState s, String chunk) {
    return run(s, chunk).arg1().tojstring();
  }

  @Test
  void every_module_has_its_vmq_diversity_name() {
    assertThat(modules.stream().map(LuaModule::name)).contains("json", "log", "kv", "bcrypt", "auth_cache", "obf",
        "http", "crypto");
  }

  @Test
  void json_encodes_tables_as_objects_and_arrays_and_decodes_back() {
    assertThat(str(a, "return json.encode({a = 1, b = {true, 'x', 2.5}})"))
        .satisfiesAnyOf(s -> assertThat(s).isEqualTo("{\"a\":1,\"b\":[true,\"x\",2.5]}"),
            s -> assertThat(s).isEqualTo("{\"b\":[true,\"x\",2.5],\"a\":1}"));
    assertThat(str(a, "return json.encode({})")).isEqualTo("[]");
    assertThat(str(a, "local t = json.decode('{\"k\":[1,{\"n\":null,\"s\":\"\\\\u00e9\\\\n\"}]}') return t.k[2].s .. #t.k"))
        .isEqualTo("é\n2");
    assertThat(str(a, "local v, err = json.decode('{\"a\":') return tostring(v) .. ' ' .. err")).startsWith("nil json.decode");
    assertThat(str(a, "local v, err = json.decode(string.rep('[', 100000)) return err")).contains("nested deeper");
  }

  @Test
  void bcrypt_hashes_as_jbcrypt_and_postgres_crypt_do() {
    // jBCrypt's test vector; libxcrypt's crypt(3) (what pgcrypto's crypt() follows) gives the same hash
    String h = "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i";
    assertThat(str(a, "return bcrypt.hashpw('abc', '$2a$06$If6bvum7DFjUnE9p2uDeDu')")).isEqualTo(h);
    assertThat(str(a, "return bcrypt.hashpw('abc', '" + h + "') == '" + h + "'")).isEqualTo("true");
    assertThat(str(a, "return bcrypt.hashpw('abd', '" + h + "') == '" + h + "'")).isEqualTo("false");
    assertThat(str(a, "local s = bcrypt.gen_salt() local h = bcrypt.hashpw('pw', s) "
        + "return #s .. ' ' .. h:sub(1, 7) .. ' ' .. tostring(bcrypt.hashpw('pw', h) == h)")).isEqualTo("29 $2a$04$ true");
    assertThat(run(a, "return pcall(bcrypt.hashpw, 'pw', 'nonsense')").arg1().toboolean()).isFalse();
  }

  @Test
  void kv_tables_are_shared_between_states_and_bounded() {
    run(a, "kv.ensure_table({name = 't'}) kv.insert('t', {ip = 2, c1 = '1.2.3.4'})");
    assertThat(str(b, "return kv.lookup('t', 'ip')[1] + #kv.lookup('t', 'nope')")).isEqualTo("2");
    run(b, "kv.delete('t', 'ip')");
    assertThat(str(a, "return #kv.lookup('t', 'ip')")).isEqualTo("0");
    run(a, "kv.insert('t', {x = {nested = true}})");
    assertThat(str(b, "local v = kv.lookup('t', 'x')[1] v.nested = false return tostring(kv.lookup('t', 'x')[1].nested)"))
        .isEqualTo("true");
    assertThat(str(a, "return tostring(kv.insert_new('t', {x = 1}))")).isEqualTo("false");
    run(a, "kv.insert('t', {y = 1})");
    assertThat(str(a, "local ok, e = pcall(kv.insert, 't', {z = 1}) return e")).contains("full");
    assertThat(str(a, "local ok, e = pcall(kv.lookup, 'missing', 'k') return e")).contains("ensure_table");
  }

  @Test
  void crypto_hashes_and_hmacs_in_hex() {
    assertThat(str(a, "return crypto.hash('sha256', 'abc')"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(str(a, "return crypto.hmac('sha256', 'key', 'The quick brown fox jumps over the lazy dog')"))
        .isEqualTo("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
    assertThat(str(a, "return crypto.hash('md5', '')")).isEqualTo("d41d8cd98f00b204e9800998ecf8427e");
  }

  @Test
  void obf_round_trips_and_hides_the_secret() {
    assertThat(str(a, "local e = obf.encrypt('db-password') assert(not e:find('password')) return obf.decrypt(e)"))
        .isEqualTo("db-password");
    assertThat(str(b, "return obf.decrypt(obf.encrypt('x'))")).isEqualTo("x");
    assertThat(run(a, "return pcall(obf.decrypt, 'AAAA')").arg1().toboolean()).isFalse();
  }

  @Test
  void log_writes_and_answers_nothing() {
    assertThat(run(a, "log.info('a', 1) log.warning('w') log.error('e') log.debug('d') return 7").arg1().toint()).isEqualTo(7);
  }

  @Test
  void http_posts_with_headers_and_reads_status_headers_and_body() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/echo", x -> {
      byte[] in = x.getRequestBody().readAllBytes();
      String out = x.getRequestMethod() + " " + x.getRequestHeaders().getFirst("x-action") + " " + new String(in, StandardCharsets.UTF_8);
      x.getResponseHeaders().add("x-reply", "yes");
      x.sendResponseHeaders(201, out.length());
      x.getResponseBody().write(out.getBytes(StandardCharsets.UTF_8));
      x.close();
    });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/echo";
      assertThat(str(a, "http.ensure_pool({pool_id = 'p', size = 2}) "
          + "local r = http.post('p', '" + url + "', 'hi', {['x-action'] = 'act'}) "
          + "return r.status .. ' ' .. r.headers['x-reply'] .. ' ' .. http.body(r.client_ref)"))
          .isEqualTo("201 yes POST act hi");
      assertThat(str(b, "return tostring(http.get('p', 'http://127.0.0.1:1/none'))")).isEqualTo("false");
      assertThat(str(b, "local ok, e = pcall(http.get, 'nopool', '" + url + "') return e")).contains("ensure_pool");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void auth_cache_answers_publish_and_subscribe_with_patterns_limits_and_modifiers() {
    AuthCacheModule cache = modules.stream().filter(m -> m instanceof AuthCacheModule).map(m -> (AuthCacheModule) m)
        .findFirst().orElseThrow();
    var c = LuaFixture.client("dev1", "ann");
    assertThat(cache.publish(c, Message.of("x", Payload.EMPTY, 0, false))).isNull();
    run(a, """
        auth_cache.insert('', 'dev1', 'ann',
          { { pattern = 'dev/%c/#', max_qos = 1, allowed_retain = false },
            { pattern = 'users/%u/+', max_payload_size = 4 },
            { pattern = 'rw/in', modifiers = { topic = 'rw/out', qos = 0 } } },
          { { pattern = 'cmd/%c/#', max_qos = 1 }, { pattern = 'alias', modifiers = { { 'real/topic', 0 } } } })
        """);
    assertThat(cache.used()).isTrue();
    assertThat(cache.publish(c, Message.of("dev/dev1/temp", Payload.EMPTY, 1, false)).isOk()).isTrue();
    assertThat(cache.publish(c, Message.of("dev/dev1/temp", Payload.EMPTY, 2, false)).isError()).isTrue();
    assertThat(cache.publish(c, Message.of("dev/dev1/temp", Payload.EMPTY, 0, true)).isError()).isTrue();
    assertThat(cache.publish(c, Message.of("dev/other/temp", Payload.EMPTY, 0, false)).isError()).isTrue();
    assertThat(cache.publish(c, Message.of("users/ann/x", Payload.utf8("1234"), 0, false)).isOk()).isTrue();
    assertThat(cache.publish(c, Message.of("users/ann/x", Payload.utf8("12345"), 0, false)).isError()).isTrue();
    Verdict<PublishModifiers> rw = cache.publish(c, Message.of("rw/in", Payload.EMPTY, 1, false));
    assertThat(rw.modifiers().topic()).isEqualTo("rw/out");
    assertThat(rw.modifiers().qos()).isZero();
    assertThat(cache.subscribe(c, List.of(Subscription.of("cmd/dev1/#", 1))).isOk()).isTrue();
    assertThat(cache.subscribe(c, List.of(Subscription.of("cmd/dev1/#", 2))).isError()).isTrue();
    assertThat(cache.subscribe(c, List.of(Subscription.of("cmd/+/x", 0))).isError()).isTrue();
    Verdict<SubscribeModifiers> alias = cache.subscribe(c, List.of(Subscription.of("alias", 1)));
    assertThat(alias.modifiers().topics()).containsExactly(new SubscribeModifiers.Topic("real/topic", 0));
    cache.evict("", "dev1");
    assertThat(cache.publish(c, Message.of("dev/dev1/temp", Payload.EMPTY, 1, false))).isNull();
  }

  @Test
  void a_bad_argument_is_a_lua_error() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> run(a, "return crypto.hash('rot13', 'x')"))
        .isInstanceOf(LuaError.class).hasMessageContaining("unknown algorithm");
  }
}
