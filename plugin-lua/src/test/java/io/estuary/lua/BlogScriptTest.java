package io.estuary.lua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.api.CloseReason;
import io.estuary.api.hooks.ClientEvent;
import io.estuary.api.hooks.HookName;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public.vernemq.com script of VerneMQ's blog post, unchanged: connection counting per IP and superusers. */
class BlogScriptTest {
  @TempDir
  Path dir;

  static String blogScript() throws Exception {
    try (InputStream in = BlogScriptTest.class.getResourceAsStream("/lua/public_vernemq.lua")) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void the_blog_script_counts_connections_per_ip_and_lets_superusers_subscribe_to_sys() throws Exception {
    try (LuaFixture f = new LuaFixture(dir).script("public_vernemq.lua", blogScript()).start()) {
      assertThat(f.plugin.hooks()).contains(HookName.AUTH_ON_REGISTER, HookName.AUTH_ON_SUBSCRIBE,
          HookName.ON_CLIENT_GONE, HookName.ON_CLIENT_OFFLINE);
      assertThat(f.register("c1", "anon", "x").isOk()).isTrue();
      assertThat(f.register("c2", "bob", "bobsecret").isOk()).isTrue();
      assertThat(f.register("c3", "anon", "x").isError()).as("a third connection from 127.0.0.1").isTrue();
      assertThat(f.subscribe("c1", "anon", "a/b", "#").isError()).isTrue();
      assertThat(f.subscribe("c1", "anon", "a/b").isOk()).isTrue();
      assertThat(f.subscribe("c2", "bob", "$SYS/#").isOk()).isTrue();
      f.plugin.onEvent(new ClientEvent.Gone(LuaFixture.client("c1", "anon"), CloseReason.NORMAL));
      await().atMost(Duration.ofSeconds(5)).until(() -> f.register("c4", "anon", "x").isOk());
      assertThat(f.register("c5", "alice", "wrong").isError()).isTrue();
    }
  }
}
