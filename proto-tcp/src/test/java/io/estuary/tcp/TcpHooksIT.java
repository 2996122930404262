package io.estuary.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.api.hooks.HookName;
import io.estuary.testkit.TestGateway;
import io.estuary.testkit.TestHookPlugin;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The core's hook chain seen from devices on EMQX's TCP framing over a real socket: the same test plugin, the protocol
 * named "tcp". The up and down topics are chosen so the plugin's rewrite rules apply to them.
 */
@Timeout(60)
class TcpHooksIT {
  static TestHookPlugin plugin = new TestHookPlugin();
  static TestGateway gw;
  static Mqtt5BlockingClient mqtt;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().plugin(plugin).adapter(new TcpAdapterFactory()).config(EmqxTcpIT.BIND + """
        gateway.tcp { up_topic = "rewrite/%c", dn_topic = "deliver-rewrite/%c" }
        """).start();
    mqtt = Mqtt5Client.builder().identifier("hooks-app").serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    mqtt.connect();
  }

  @AfterAll
  static void stop() {
    mqtt.disconnect();
    gw.close();
  }

  @Test
  void a_device_the_plugin_refuses_gets_the_refusing_connack() throws Exception {
    try (RawDevice d = RawDevice.connect(gw.listener("tcp", "tcp:default"))) {
      d.writeHex("10 00 0b 3c 00 08 62 6c 6f 63 6b 65 64 31"); // CONNECT, keepalive 60, client id "blocked1"
      assertThat(d.readHex(3)).isEqualTo("21 00 00");
    }
    assertThat(plugin.calls(HookName.AUTH_ON_REGISTER)).anyMatch(s -> s.startsWith("auth_on_register tcp blocked1"));
  }

  @Test
  void uplink_is_rewritten_by_auth_on_publish_and_downlink_by_on_deliver() throws Exception {
    try (var publishes = mqtt.publishes(MqttGlobalPublishFilter.ALL); RawDevice d = RawDevice.connect(gw.listener("tcp", "tcp:default"))) {
      mqtt.subscribeWith().topicFilter("rewritten/#").send();
      d.writeHex(EmqxTcpIT.CONNECT);
      assertThat(d.readHex(23)).isEqualTo(EmqxTcpIT.CONNACK_OK);
      d.writeHex("30 00 02 32 31"); // DATATRANS "21"
      Mqtt5Publish p = publishes.receive(10, TimeUnit.SECONDS).orElseThrow();
      assertThat(p.getTopic().toString()).isEqualTo("rewritten/abcd");
      assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("hooked:21");

      await().atMost(Duration.ofSeconds(10)).until(() -> gw.session("abcd") != null && gw.session("abcd").subscriptions() == 1);
      mqtt.publishWith().topic("deliver-rewrite/abcd").payload("on".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();
      // DATATRANS down with "delivered:on" (12 bytes)
      assertThat(d.readHex(15)).isEqualTo("30 00 0c 64 65 6c 69 76 65 72 65 64 3a 6f 6e");
    }
    assertThat(plugin.calls(HookName.AUTH_ON_PUBLISH)).anyMatch(s -> s.equals("auth_on_publish tcp abcd rewrite/abcd"));
    assertThat(plugin.calls(HookName.ON_DELIVER)).anyMatch(s -> s.equals("on_deliver tcp abcd deliver-rewrite/abcd"));
  }
}
