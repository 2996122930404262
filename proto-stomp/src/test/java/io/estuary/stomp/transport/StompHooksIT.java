package io.estuary.stomp.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.hooks.HookName;
import io.estuary.stomp.StompAdapterFactory;
import io.estuary.stomp.codec.Command;
import io.estuary.stomp.codec.StompFrame;
import io.estuary.testkit.TestGateway;
import io.estuary.testkit.TestHookPlugin;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The core's hook chain seen from STOMP clients over a real socket: the same test plugin, the protocol named "stomp". */
@Timeout(60)
class StompHooksIT {
  static TestHookPlugin plugin = new TestHookPlugin();
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().plugin(plugin).adapter(new StompAdapterFactory()).config(StompGateways.BASE).start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @Test
  void a_client_the_plugin_refuses_gets_an_error_frame() {
    try (RawStompClient c = new RawStompClient(StompGateways.tcp(gw))) {
      assertThat(c.connect("client-id", "blocked-stomp").command()).isEqualTo(Command.ERROR);
    }
    assertThat(plugin.calls(HookName.AUTH_ON_REGISTER)).anyMatch(s -> s.startsWith("auth_on_register stomp blocked-stomp"));
  }

  @Test
  void a_send_the_plugin_rewrites_arrives_rewritten_and_on_deliver_rewrites_what_the_client_gets() {
    try (RawStompClient c = new RawStompClient(StompGateways.tcp(gw))) {
      assertThat(c.connect().command()).isEqualTo(Command.CONNECTED);
      c.write("SUBSCRIBE\nid:0\ndestination:rewritten/#\nreceipt:s0\n\n\0");
      assertThat(c.next().header("receipt-id")).isEqualTo("s0");
      c.write("SEND\ndestination:rewrite/s\n\n21\0");
      StompFrame m = c.next();
      assertThat(m.command()).isEqualTo(Command.MESSAGE);
      assertThat(m.header("destination")).isEqualTo("rewritten/s");
      assertThat(new String(m.body().toByteArray(), StandardCharsets.UTF_8)).isEqualTo("hooked:21");

      c.write("SUBSCRIBE\nid:1\ndestination:deliver-rewrite/#\nreceipt:s1\n\n\0");
      assertThat(c.next().header("receipt-id")).isEqualTo("s1");
      c.write("SEND\ndestination:deliver-rewrite/c\n\non\0");
      StompFrame d = c.next();
      assertThat(d.header("destination")).isEqualTo("deliver-rewrite/c");
      assertThat(new String(d.body().toByteArray(), StandardCharsets.UTF_8)).isEqualTo("delivered:on");
    }
    assertThat(plugin.calls(HookName.AUTH_ON_PUBLISH)).anyMatch(s -> s.startsWith("auth_on_publish stomp ") && s.endsWith(" rewrite/s"));
    assertThat(plugin.calls(HookName.ON_DELIVER)).anyMatch(s -> s.startsWith("on_deliver stomp ") && s.endsWith(" deliver-rewrite/c"));
  }
}
