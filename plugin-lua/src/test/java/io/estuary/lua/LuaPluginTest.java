package io.estuary.lua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estuary.api.hooks.HookName;
import io.estuary.api.hooks.PublishModifiers;
import io.estuary.api.hooks.SubscribeModifiers;
import io.estuary.api.hooks.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LuaPluginTest {
  @TempDir
  Path dir;

  @Test
  void a_hooks_table_allows_and_denies_a_register_by_username_and_password() throws Exception {
    try (LuaFixture f = new LuaFixture(dir).script("auth.lua", """
        function register_callback(reg)
          if reg.username == "Joe" and reg.password == "secret" then
            return true
          end
          return false
        end
        hooks = { auth_on_register = register_callback }
        """).start()) {
      assertThat(f.plugin.hooks()).containsExactly(HookName.AUTH_ON_REGISTER);
      assertThat(f.register("c1", "Joe", "secret").isOk()).isTrue();
      assertThat(f.register("c1", "Joe", "wrong").error()).isEqualTo("not_authorized");
      assertThat(f.register("c1", null, null).isError()).isTrue();
    }
  }

  @Test
  void global_functions_named_like_hooks_are_hooks_when_there_is_no_hooks_table() throws Exception {
    try (LuaFixture f = new LuaFixture(dir).script("g.lua", """
        function auth_on_register(reg) return reg.client_id == "ok" end
        function auth_on_publish(pub) return "next" end
        function helper() return 1 end
        """).start()) {
      assertThat(f.plugin.hooks()).containsExactlyInAnyOrder(HookName.AUTH_ON_REGISTER, HookName.AUTH_ON_PUBLISH);
      assertThat(f.register("ok", "u", "p").isOk()).isTrue();
      assertThat(f.register("no", "u", "p").isError()).isTrue();
      assertThat(f.publish("ok", "u", "a/b", "x").isNext()).isTrue();
    }
  }

  @Test
  void the_argument_tables_carry_vernemq_field_names_and_the_protocol() throws Exception {
    try (LuaFixture f = new LuaFixture(dir).script("fields.lua", """
        function auth_on_register(reg)
          assert(reg.client_id == "c9" and reg.username == "u" and reg.password == "p", "ids")
          assert(reg.mountpoint == "" and reg.clean_session == true, "mp")
          assert(reg.addr == "127.0.0.1" and reg.peer_addr == "127.0.0.1", "addr")
          assert(reg.port == 40000 and reg.peer_port == 40000, "port")
          assert(reg.protocol == "mqtt", "protocol")
          return true
        end
        function auth_on_publish(pub)
          assert(pub.topic == "a/b" and pub.payload == "hello" and pub.qos == 1 and pub.retain == false)
          return true
        end
        function auth_on_subscribe(sub)
          assert(#sub.topics == 2 and sub.topics[1][1] == "x/#" and sub.topics[1][2] == 1 and sub.topics[2][1] == "y")
          return true
        end
        """).start()) {
      assertThat(f.register("c9", "u", "p").isOk()).as(f.warnings().toString()).isTrue();
      assertThat(f.publish("c9", "u", "a/b", "hello").isOk()).as(f.warnings().toString()).isTrue();
      assertThat(f.subscribe("c9", "u", "x/#", "y").isOk()).as(f.warnings().toString()).isTrue();
    }
  }

  @Test
  void the_register_table_shows_the_identity_the_transport_proved_and_none_on_a_plain_transport() throws Exception {
    Files.createDirectories(dir.resolve("auth")); // the shipped auth_commons.lua, required as a module
    try (var in = LuaPluginTest.class.getResourceAsStream("/lua/auth/auth_commons.lua")) {
      Files.copy(in, dir.resolve("auth/auth_commons.lua"));
    }
    try (LuaFixture f = new LuaFixture(dir).script("identity.lua", """
        require "auth/auth_commons"
        function auth_on_register(reg)
          if reg.client_id == "dtls" then
            assert(reg.identity == "sn-dev" and reg.password == nil, "identity")
          else
            assert(reg.identity == nil, "no identity")
          end
          return may_register(reg)
        end
        """).start()) {
      assertThat(f.register("dtls", "sn-dev", null, "sn-dev").isOk()).as(f.warnings().toString()).isTrue();
      assertThat(f.register("udp", "sn-dev", null).error()).as(f.warnings().toString()).isEqualTo("not_authorized");
      assertThat(f.register("dtls", "someone-else", null, "sn-dev").error()).as("identity is not the username")
          .isEqualTo("not_authorized");
    }
  }

  @Test
  void a_table_answer_rewrites_the_publish_and_the_subscription() throws Exception {
    try (LuaFixture f = new LuaFixture(dir).script("mod.lua", """
        hooks = {
          auth_on_publish = function(pub) return { topic = "rewritten/" .. pub.topic, payload = "P", qos = 0 } end,
          auth_on_subscribe = function(sub) return { { "only/" .. sub.topics[1][1], 0 }, { sub.topics[2][1], 128 } } end,
        }
        """).start()) {
      Verdict<PublishModifiers> p = f.publish("c", "u", "a", "x");
      assertThat(p.modifiers().topic()).isEqualTo("rewritten/a");
      assertThat(p.modifiers().payload().toByteArray()).isEqualTo("P".getBytes());
      assertThat(p.modifiers().qos()).isZero();
      Verdict<SubscribeModifiers> s = f.subscribe("c", "u", "t", "v");
      assertThat(s.modifiers().topics()).containsExactly(new SubscribeModifiers.Topic("only/t", 0),
          new SubscribeModifiers.Topic("v", 128));
    }
  }

  @Test
  void next_and_no_answer_ask_the_next_script_and_then_the_gateway() throws Exception {
    try (LuaFixture f = new LuaFixture(dir)
        .script("first.lua", "function auth_on_register(reg) if reg.username == 'a' then return 'next' end end")
        .script("second.lua", "function auth_on_register(reg) if reg.username == 'a' then return true end return 'next' end")
        .start()) {
      assertThat(f.register("c", "a", null).isOk()).isTrue();
      assertThat(f.register("c", "b", null).isNext()).isTrue();
    }
  }

  @Test
  void an_endless_loop_is_a_logged_deny_within_the_call_limit_and_the_next_call_works() throws Exception {
    try (LuaFixture f = new LuaFixture(dir).set("call_timeout", "200ms").script("loop.lua", """
        function auth_on_register(reg)
          if reg.username == "loop" then
            while true do pcall(function() end) end
          end
          return true
        end
        """).start()) {
      long t0 = System.nanoTime();
      Verdict<io.estuary.api.hooks.RegisterModifiers> v = f.register("c", "loop", null);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(v.error()).isEqualTo("script_timeout");
      assertThat(ms).isLessThan(2000);
      assertThat(f.warnings()).anyMatch(l -> l.contains("loop.lua") && l.contains("call limit"));
      assertThat(f.register("c", "fine", null).isOk()).isTrue();
      assertThat(f.plugin.show().get(0)).containsEntry("timeouts", 1L);
    }
  }

  @Test
  void a_script_error_is_a_logged_deny_and_a_bad_answer_too() throws Exception {
    try (LuaFixture f = new LuaFixture(dir).script("err.lua", """
        function auth_on_register(reg)
          if reg.username == "boom" then error("kaputt") end
          if reg.username == "num" then return 42 end
          return reg.username .. nil
        end
        """).start()) {
      assertThat(f.register("c", "boom", null).error()).isEqualTo("script_error");
      assertThat(f.warnings()).anyMatch(l -> l.contains("err.lua") && l.contains("kaputt"));
      assertThat(f.register("c", "num", null).error()).isEqualTo("script_error");
      assertThat(f.register("c", "x", null).error()).isEqualTo("script_error");
    }
  }

  @Test
  void the_sandbox_has_no_os_execute_io_popen_files_or_java() throws Exception {
    try (LuaFixture f = new LuaFixture(dir).script("sb.lua", """
        function auth_on_register(reg)
          assert(os.execute == nil and io == nil and luajava == nil and debug == nil and dofile == nil)
          assert(loadfile == nil and package.loadlib == nil and coroutine == nil and os.remove == nil)
          assert(type(os.time()) == "number")
          assert(not pcall(require, "java.lang.System"))
          return true
        end
        """).start()) {
      assertThat(f.register("c", "u", null).isOk()).as(f.warnings().toString()).isTrue();
    }
  }

  @Test
  void require_loads_modules_from_the_script_path_in_vernemq_layout() throws Exception {
    try (LuaFixture f = new LuaFixture(dir)
        .script("auth/commons.lua", "local M = {} function M.ok(u) return u == 'joe' end return M")
        .script("main.lua", "local c = require 'auth/commons' local d = require 'auth.commons' "
            + "assert(c == d) function auth_on_register(reg) return c.ok(reg.username) end")) {
      f.set("scripts", "main.lua").start();
      assertThat(f.register("c", "joe", null).isOk()).isTrue();
      assertThat(f.register("c", "ann", null).isError()).isTrue();
    }
  }

  @Test
  void a_broken_script_fails_the_start_and_a_reload_keeps_the_running_scripts() throws Exception {
    try (LuaFixture f = new LuaFixture(dir).script("r.lua", "function auth_on_register(reg) return true end").start()) {
      assertThat(f.register("c", "u", null).isOk()).isTrue();
      Files.writeString(dir.resolve("r.lua"), "function auth_on_register(reg) return false end");
      f.plugin.reload(null);
      assertThat(f.register("c", "u", null).isError()).isTrue();
      Files.writeString(dir.resolve("r.lua"), "function auth_on_register(reg) return true"); // no end
      assertThatThrownBy(() -> f.plugin.command("reload", Map.of("path", "r.lua")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("r.lua");
      assertThat(f.register("c", "u", null).isError()).isTrue();
    }
  }

  @Test
  void without_scripts_the_plugin_registers_no_hook() {
    LuaPlugin p = new LuaPlugin();
    p.start(Map.of());
    assertThat(p.hooks()).isEmpty();
    p.stop();
  }
}
