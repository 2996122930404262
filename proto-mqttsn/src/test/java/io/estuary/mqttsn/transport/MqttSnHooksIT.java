package io.estuary.mqttsn.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.estuary.api.Payload;
import io.estuary.api.hooks.HookName;
import io.estuary.mqttsn.MqttSnAdapterFactory;
import io.estuary.mqttsn.codec.MqttSnFrame.Connack;
import io.estuary.mqttsn.codec.MqttSnFrame.Connect;
import io.estuary.mqttsn.codec.MqttSnFrame.Disconnect;
import io.estuary.mqttsn.codec.MqttSnFrame.Puback;
import io.estuary.mqttsn.codec.MqttSnFrame.Publish;
import io.estuary.mqttsn.codec.MqttSnFrame.Regack;
import io.estuary.mqttsn.codec.MqttSnFrame.Register;
import io.estuary.mqttsn.codec.MqttSnFrame.Suback;
import io.estuary.mqttsn.codec.MqttSnFrame.Subscribe;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
import io.estuary.testkit.TestGateway;
import io.estuary.testkit.TestHookPlugin;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hook chain seen from MQTT-SN devices over real UDP: the same plugin, the protocol named "mqttsn". */
@Timeout(60)
class MqttSnHooksIT {
  static TestHookPlugin plugin = new TestHookPlugin();
  static TestGateway gw;
  static InetSocketAddress udp;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().plugin(plugin)
        .config("gateway.mqttsn.listeners.udp.default.bind = \"127.0.0.1:0\"")
        .adapter(new MqttSnAdapterFactory())
        .start();
    udp = gw.listener("mqttsn", "udp:default");
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static Mqtt5BlockingClient mqtt(String id) {
    Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    c.connect();
    return c;
  }

  static int register(MqttSnTestClient c, String topic, int msgId) {
    c.send(new Register(0, msgId, topic));
    Regack ra = c.expect(Regack.class);
    assertThat(ra.returnCode()).isEqualTo(ReturnCode.ACCEPTED);
    return ra.topicId();
  }

  @Test
  void a_device_the_plugin_refuses_gets_a_rejected_connack() {
    try (MqttSnTestClient c = new MqttSnTestClient(udp)) {
      c.send(new Connect(false, true, 60, "blocked-sn"));
      assertThat(c.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.REJECTED_NOT_SUPPORTED);
    }
    // MQTT-SN carries no username: the client id stands in for it
    assertThat(plugin.calls(HookName.AUTH_ON_REGISTER)).contains("auth_on_register mqttsn blocked-sn blocked-sn");
  }

  @Test
  void a_rewritten_publish_reaches_mqtt_rewritten_and_a_denied_one_is_rejected_in_the_puback() throws Exception {
    Mqtt5BlockingClient sub = mqtt("sn-hook-sub");
    try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL); MqttSnTestClient c = new MqttSnTestClient(udp)) {
      sub.subscribeWith().topicFilter("rewritten/#").qos(MqttQos.AT_LEAST_ONCE).send();
      c.connect("sn-hook-pub", 60);
      int denied = register(c, "deny/sn", 1);
      c.send(new Publish(false, 1, false, new TopicRef.Id(denied), 2, Payload.utf8("no")));
      assertThat(c.expect(Puback.class)).isEqualTo(new Puback(denied, 2, ReturnCode.REJECTED_NOT_SUPPORTED));
      int rewritten = register(c, "rewrite/sn", 3);
      c.send(new Publish(false, 1, false, new TopicRef.Id(rewritten), 4, Payload.utf8("21.5")));
      assertThat(c.expect(Puback.class)).isEqualTo(new Puback(rewritten, 4, ReturnCode.ACCEPTED));
      var got = publishes.receive(10, TimeUnit.SECONDS).orElseThrow();
      assertThat(got.getTopic().toString()).isEqualTo("rewritten/sn");
      assertThat(new String(got.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("hooked:21.5");
      c.send(new Disconnect(OptionalInt.empty()));
    } finally {
      sub.disconnect();
    }
    assertThat(plugin.calls(HookName.AUTH_ON_PUBLISH)).contains("auth_on_publish mqttsn sn-hook-pub deny/sn",
        "auth_on_publish mqttsn sn-hook-pub rewrite/sn");
    await().atMost(Duration.ofSeconds(10)).until(() -> plugin.calls(HookName.ON_CLIENT_GONE)
        .contains("on_client_gone mqttsn sn-hook-pub "));
    assertThat(plugin.calls(HookName.ON_REGISTER)).contains("on_register mqttsn sn-hook-pub ");
  }

  @Test
  void a_denied_subscription_is_rejected_in_the_suback_and_on_deliver_rewrites_what_the_device_gets() {
    Mqtt5BlockingClient pub = mqtt("sn-hook-down");
    try (MqttSnTestClient c = new MqttSnTestClient(udp)) {
      c.connect("sn-hook-subscriber", 60);
      c.send(new Subscribe(false, 0, 1, new TopicRef.Name("deny/#")));
      assertThat(c.expect(Suback.class).returnCode()).isEqualTo(ReturnCode.REJECTED_NOT_SUPPORTED);
      c.send(new Subscribe(false, 0, 2, new TopicRef.Name("deliver-rewrite/#")));
      assertThat(c.expect(Suback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      pub.publishWith().topic("deliver-rewrite/cmd").payload("on".getBytes()).send();
      Register reg = c.expect(Register.class);
      assertThat(reg.topicName()).isEqualTo("deliver-rewrite/cmd");
      c.send(new Regack(reg.topicId(), reg.msgId(), ReturnCode.ACCEPTED));
      assertThat(c.expect(Publish.class).data()).isEqualTo(Payload.utf8("delivered:on"));
    } finally {
      pub.disconnect();
    }
    assertThat(plugin.calls(HookName.ON_DELIVER)).contains("on_deliver mqttsn sn-hook-subscriber deliver-rewrite/cmd");
  }
}
