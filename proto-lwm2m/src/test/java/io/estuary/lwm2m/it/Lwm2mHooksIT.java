package io.estuary.lwm2m.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.api.hooks.HookName;
import io.estuary.lwm2m.Lwm2mAdapterFactory;
import io.estuary.testkit.TestGateway;
import io.estuary.testkit.TestHookPlugin;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hook chain seen from LwM2M devices (Leshan client): the same plugin, the protocol named "lwm2m".
 * The mountpoint puts the device's topics under {@code rewrite/}, so the plugin rewrites its events to
 * {@code rewritten/} and its command subscription too.
 */
@Timeout(60)
class Lwm2mHooksIT {
  static TestHookPlugin plugin = new TestHookPlugin();
  static TestGateway gw;
  static InetSocketAddress lwm2m;
  static Mqtt5BlockingClient mqtt;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().plugin(plugin)
        .config("gateway.lwm2m.listeners.udp.default.bind = \"127.0.0.1:0\"")
        .config("gateway.lwm2m.xml_dir = \"" + TestDevice.XML_DIR.getPath().replace("\\", "/") + "\"")
        .config("gateway.lwm2m.mountpoint = \"rewrite/${endpoint}/\"")
        .adapter(new Lwm2mAdapterFactory())
        .start();
    lwm2m = gw.listener("lwm2m", "udp:default");
    mqtt = Mqtt5Client.builder().identifier("lwm2m-hooks-mqtt").serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    mqtt.connect();
  }

  @AfterAll
  static void stop() {
    mqtt.disconnect();
    gw.close();
  }

  static String text(Mqtt5Publish p) {
    return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void an_endpoint_the_plugin_refuses_never_registers() {
    try (TestDevice d = new TestDevice("blocked-ep", lwm2m, 300, false).start()) {
      await().atMost(Duration.ofSeconds(15)).until(() -> !d.registrationFailures.isEmpty());
      assertThat(d.registrationFailures.get(0)).startsWith("FORBIDDEN");
    }
    assertThat(plugin.calls(HookName.AUTH_ON_REGISTER)).anyMatch(c -> c.startsWith("auth_on_register lwm2m blocked-ep"));
  }

  @Test
  void a_device_s_events_and_commands_go_through_the_hooks_rewritten() throws Exception {
    try (var publishes = mqtt.publishes(MqttGlobalPublishFilter.ALL)) {
      mqtt.subscribeWith().topicFilter("rewritten/+/up/#").qos(MqttQos.AT_LEAST_ONCE).send();
      try (TestDevice d = new TestDevice("ep-hooked", lwm2m, 300, false).start()) {
        Mqtt5Publish reg = publishes.receive(15, TimeUnit.SECONDS).orElseThrow();
        assertThat(reg.getTopic().toString()).isEqualTo("rewritten/ep-hooked/up/resp");
        assertThat(text(reg)).startsWith("hooked:{").contains("\"register\"");
        // the device's command subscription was rewritten too: commands come from rewritten/.../dn
        await().atMost(Duration.ofSeconds(10)).until(() -> plugin.calls(HookName.ON_SUBSCRIBE).stream()
            .anyMatch(c -> c.startsWith("on_subscribe lwm2m ep-hooked")));
        mqtt.publishWith().topic("rewritten/ep-hooked/dn").qos(MqttQos.AT_LEAST_ONCE)
            .payload("{\"reqID\":1,\"msgType\":\"read\",\"data\":{\"path\":\"/3/0/0\"}}".getBytes(StandardCharsets.UTF_8)).send();
        Mqtt5Publish resp = publishes.receive(15, TimeUnit.SECONDS).orElseThrow();
        assertThat(resp.getTopic().toString()).isEqualTo("rewritten/ep-hooked/up/resp");
        assertThat(text(resp)).startsWith("hooked:{").contains("Estuary");
      }
    }
    assertThat(plugin.calls(HookName.AUTH_ON_SUBSCRIBE)).contains("auth_on_subscribe lwm2m ep-hooked rewrite/ep-hooked/dn");
    assertThat(plugin.calls(HookName.ON_DELIVER)).contains("on_deliver lwm2m ep-hooked rewritten/ep-hooked/dn");
    assertThat(plugin.calls(HookName.ON_REGISTER)).contains("on_register lwm2m ep-hooked ");
    await().atMost(Duration.ofSeconds(10)).until(() -> plugin.calls().stream()
        .anyMatch(c -> c.matches("on_client_(gone|offline) lwm2m ep-hooked .*")));
  }
}
