package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
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

/** The hook chain seen from MQTT 5 clients: a plugin that denies and rewrites, and every notification. */
@Timeout(60)
class MqttHooksIT {
  static TestHookPlugin plugin = new TestHookPlugin();
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().plugin(plugin).start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static Mqtt5BlockingClient client(String id) {
    var c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    c.connect();
    return c;
  }

  @Test
  void a_client_the_plugin_refuses_gets_not_authorized_in_its_connack() {
    var c = Mqtt5Client.builder().identifier("h-blocked").serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    var e = catchThrowableOfType(
        () -> c.connectWith().simpleAuth().username(TestHookPlugin.BLOCKED_USER).password("x".getBytes()).applySimpleAuth().send(),
        Mqtt5ConnAckException.class);
    assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    assertThat(plugin.calls(HookName.AUTH_ON_REGISTER)).contains("auth_on_register mqtt h-blocked blocked");
  }

  @Test
  void a_denied_publish_is_refused_and_a_rewritten_one_arrives_rewritten() throws Exception {
    var sub = client("h-sub");
    sub.subscribeWith().topicFilter("rewritten/#").qos(MqttQos.AT_LEAST_ONCE).send();
    var pub = client("h-pub");
    try (var received = sub.publishes(MqttGlobalPublishFilter.ALL)) {
      var e = catchThrowableOfType(() -> pub.publishWith().topic("deny/x").qos(MqttQos.AT_LEAST_ONCE)
          .payload("no".getBytes()).send(), Mqtt5PubAckException.class);
      assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
      pub.publishWith().topic("rewrite/a").qos(MqttQos.AT_LEAST_ONCE).payload("hi".getBytes()).send();
      var m = received.receive(10, TimeUnit.SECONDS).orElseThrow();
      assertThat(m.getTopic().toString()).isEqualTo("rewritten/a");
      assertThat(new String(m.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("hooked:hi");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> plugin.calls(HookName.ON_PUBLISH).contains("on_publish mqtt h-pub rewritten/a"));
    assertThat(plugin.calls(HookName.ON_PUBLISH)).noneMatch(c -> c.contains("deny/x"));
    assertThat(plugin.threads()).allMatch(t -> t.startsWith("estuary-hook-") || t.startsWith("ForkJoinPool"));
    pub.disconnect();
    sub.disconnect();
  }

  @Test
  void qos0_publishes_keep_their_order_through_the_hook() throws Exception {
    var sub = client("h-order-sub");
    // the HiveMQ client registers a publishes() flow asynchronously: registered before the SUBSCRIBE, the SUBACK
    // round trip orders it before any delivery (registered after, a first message could find no flow and be dropped)
    try (var received = sub.publishes(MqttGlobalPublishFilter.ALL)) {
      sub.subscribeWith().topicFilter("rewrite/order").qos(MqttQos.AT_MOST_ONCE).send(); // subscribed as rewritten/order
      var pub = client("h-order-pub");
      for (int i = 0; i < 50; i++) {
        pub.publishWith().topic("rewrite/order").payload(Integer.toString(i).getBytes()).send();
      }
      for (int i = 0; i < 50; i++) {
        var m = received.receive(10, TimeUnit.SECONDS).orElseThrow();
        assertThat(m.getTopic().toString()).isEqualTo("rewritten/order");
        assertThat(new String(m.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("hooked:" + i);
      }
      pub.disconnect();
    }
    sub.disconnect();
  }

  @Test
  void a_denied_filter_fails_in_the_suback_and_the_others_are_granted() {
    var c = client("h-subscriber");
    var e = catchThrowableOfType(() -> c.subscribeWith()
        .addSubscription().topicFilter("deny/#").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
        .addSubscription().topicFilter("ok/#").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
        .send(), Mqtt5SubAckException.class);
    assertThat(e.getMqttMessage().getReasonCodes())
        .containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED, Mqtt5SubAckReasonCode.GRANTED_QOS_1);
    await().atMost(Duration.ofSeconds(10)).until(() -> plugin.calls(HookName.ON_SUBSCRIBE).stream()
        .anyMatch(s -> s.startsWith("on_subscribe mqtt h-subscriber")));
    c.unsubscribeWith().topicFilter("ok/#").send();
    await().atMost(Duration.ofSeconds(10)).until(() -> plugin.calls(HookName.ON_UNSUBSCRIBE).stream()
        .anyMatch(s -> s.startsWith("on_unsubscribe mqtt h-subscriber")));
    c.disconnect();
    await().atMost(Duration.ofSeconds(10)).until(() -> plugin.calls(HookName.ON_CLIENT_GONE).stream()
        .anyMatch(s -> s.startsWith("on_client_gone mqtt h-subscriber")));
    assertThat(plugin.calls(HookName.ON_REGISTER)).anyMatch(s -> s.startsWith("on_register mqtt h-subscriber"));
    assertThat(plugin.calls(HookName.ON_CLIENT_WAKEUP)).anyMatch(s -> s.startsWith("on_client_wakeup mqtt h-subscriber"));
  }

  @Test
  void on_deliver_rewrites_the_payload_and_drops_what_it_refuses() throws Exception {
    var sub = client("h-deliver");
    sub.subscribeWith().topicFilter("deliver-deny/#").qos(MqttQos.AT_LEAST_ONCE).send();
    sub.subscribeWith().topicFilter("deliver-rewrite/#").qos(MqttQos.AT_LEAST_ONCE).send();
    var pub = client("h-deliver-pub");
    try (var received = sub.publishes(MqttGlobalPublishFilter.ALL)) {
      pub.publishWith().topic("deliver-deny/1").qos(MqttQos.AT_LEAST_ONCE).payload("hidden".getBytes()).send();
      pub.publishWith().topic("deliver-rewrite/1").qos(MqttQos.AT_LEAST_ONCE).payload("p".getBytes()).send();
      var m = received.receive(10, TimeUnit.SECONDS).orElseThrow();
      assertThat(m.getTopic().toString()).isEqualTo("deliver-rewrite/1"); // the refused one never came
      assertThat(new String(m.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("delivered:p");
    }
    assertThat(plugin.calls(HookName.ON_DELIVER)).contains("on_deliver mqtt h-deliver deliver-deny/1");
    pub.disconnect();
    sub.disconnect();
  }

  @Test
  void a_persistent_client_going_away_is_offline_and_its_queued_messages_are_offline_messages() {
    var c = Mqtt5Client.builder().identifier("h-persistent").serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    c.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
    c.subscribeWith().topicFilter("offline/#").qos(MqttQos.AT_LEAST_ONCE).send();
    c.disconnect();
    await().atMost(Duration.ofSeconds(10)).until(() -> plugin.calls(HookName.ON_CLIENT_OFFLINE).stream()
        .anyMatch(s -> s.startsWith("on_client_offline mqtt h-persistent")));
    var pub = client("h-offline-pub");
    pub.publishWith().topic("offline/1").qos(MqttQos.AT_LEAST_ONCE).payload("x".getBytes()).send();
    await().atMost(Duration.ofSeconds(10)).until(() -> plugin.calls(HookName.ON_OFFLINE_MESSAGE).stream()
        .anyMatch(s -> s.startsWith("on_offline_message - h-persistent")));
    pub.disconnect();
  }
}
