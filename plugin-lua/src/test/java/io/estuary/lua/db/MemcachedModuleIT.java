package io.estuary.lua.db;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.luaj.vm2.LuaError;

/** The memcached module against a real memcached: vmq_diversity's calls, bad keys, an outage. */
@Timeout(120)
class MemcachedModuleIT {
  static DatabaseServers.Memcached server;

  MemcachedModule memcached;
  LuaHarness lua;

  @BeforeAll
  static void startServer() throws Exception {
    server = DatabaseServers.memcached();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void pool() {
    memcached = new MemcachedModule();
    memcached.start(DatabaseServers.moduleConfig("memcached", server, ""));
    lua = new LuaHarness(memcached);
    lua.eval("assert(memcached.ensure_pool({pool_id = 'mc'}) == true)");
  }

  @AfterEach
  void closeModule() {
    memcached.close();
  }

  @Test
  void get_set_add_replace_delete_and_flush_all_answer_as_the_server_does() {
    lua.eval("""
        assert(memcached.flush_all("mc") == true)
        assert(memcached.get("mc", "k") == false)
        assert(memcached.set("mc", "k", "v 1\\r\\nEND") == true)
        assert(memcached.get("mc", "k") == "v 1\\r\\nEND")
        assert(memcached.add("mc", "k", "other") == false)
        assert(memcached.replace("mc", "k", "v2", 60) == true)
        assert(memcached.get("mc", "k") == "v2")
        assert(memcached.replace("mc", "absent", "x") == false)
        assert(memcached.delete("mc", "k") == true)
        assert(memcached.delete("mc", "k") == false)
        assert(memcached.get("mc", "k") == false)
        """);
  }

  @Test
  void keys_with_spaces_or_too_long_keys_raise_lua_errors_before_anything_is_sent() {
    assertThatThrownBy(() -> lua.eval("memcached.get('mc', 'a b')")).isInstanceOf(LuaError.class)
        .hasMessageContaining("no spaces or control characters");
    assertThatThrownBy(() -> lua.eval("memcached.set('mc', string.rep('k', 251), 'v')")).isInstanceOf(LuaError.class)
        .hasMessageContaining("1..250 bytes");
    assertThatThrownBy(() -> lua.eval("memcached.get('nope', 'k')")).isInstanceOf(LuaError.class)
        .hasMessageContaining("no pool 'nope'");
  }

  @Test
  void during_an_outage_calls_raise_a_clear_error_and_work_again_once_the_server_is_back() throws Exception {
    lua.eval("assert(memcached.set('mc', 'k', 'v') == true)");
    server.stop();
    try {
      assertThatThrownBy(() -> lua.eval("memcached.get('mc', 'k')")).isInstanceOf(LuaError.class)
          .hasMessageContaining("memcached.get(mc) failed");
    } finally {
      server.start();
    }
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> lua.eval("return memcached.set('mc', 'k', 'v')").toboolean());
  }
}
