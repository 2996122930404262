package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.estuary.testkit.RawMqttClient;
import io.estuary.testkit.TestGateway;
import io.estuary.testkit.TestHookPlugin;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * auth_on_register's modifiers (VerneMQ's mountpoint and client_id): the test plugin puts clients named
 * {@code mounted-…} under the mountpoint {@code tenant/} and renames {@code rename-X} to {@code renamed-X}.
 */
@Timeout(60)
class MqttRegisterModifiersIT {
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

  static Mqtt5BlockingClient v5(String id) {
    var c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    c.connect();
    return c;
  }

  @Test
  void a_mountpoint_modifier_moves_an_mqtt5_clients_topics_under_it_both_ways() throws Exception {
    var watcher = v5("mod-watcher");
    var mounted = v5(TestHookPlugin.MOUNTED_PREFIX + "v5");
    try (var watched = watcher.publishes(MqttGlobalPublishFilter.ALL);
        var got = mounted.publishes(MqttGlobalPublishFilter.ALL)) {
      watcher.subscribeWith().topicFilter("tenant/up/#").qos(MqttQos.AT_LEAST_ONCE).send();
      mounted.subscribeWith().topicFilter("down/#").qos(MqttQos.AT_LEAST_ONCE).send();

      mounted.publishWith().topic("up/t1").qos(MqttQos.AT_LEAST_ONCE).payload("21".getBytes()).send();
      var up = watched.receive(10, TimeUnit.SECONDS).orElseThrow();
      assertThat(up.getTopic().toString()).isEqualTo("tenant/up/t1");

      watcher.publishWith().topic("down/ignored").qos(MqttQos.AT_LEAST_ONCE).payload("x".getBytes()).send();
      watcher.publishWith().topic("tenant/down/cmd").qos(MqttQos.AT_LEAST_ONCE).payload("on".getBytes()).send();
      var down = got.receive(10, TimeUnit.SECONDS).orElseThrow();
      assertThat(down.getTopic().toString()).as("the device sees its own topic names").isEqualTo("down/cmd");
      assertThat(new String(down.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("on");
      assertThat(got.receive(300, TimeUnit.MILLISECONDS)).as("down/ignored is outside the tenant").isEmpty();
    } finally {
      mounted.disconnect();
      watcher.disconnect();
    }
  }

  @Test
  void a_mountpoint_modifier_applies_to_a_raw_mqtt311_client_and_its_will() throws Exception {
    var watcher = v5("mod-watcher-311");
    try (var watched = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
      watcher.subscribeWith().topicFilter("tenant/#").qos(MqttQos.AT_LEAST_ONCE).send();
      RawMqttClient c = new RawMqttClient(gw.mqttPort());
      c.send(MqttMessageBuilders.connect().clientId(TestHookPlugin.MOUNTED_PREFIX + "v3")
          .protocolVersion(MqttVersion.MQTT_3_1_1).cleanSession(true).keepAlive(30).willFlag(true)
          .willTopic("status").willMessage("gone".getBytes()).willQoS(MqttQoS.AT_LEAST_ONCE).build());
      MqttConnAckMessage ack = (MqttConnAckMessage) c.await(MqttMessageType.CONNACK, Duration.ofSeconds(5));
      assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
      c.publishUnchecked("up/v3", "1".getBytes(), 4);
      assertThat(watched.receive(10, TimeUnit.SECONDS).orElseThrow().getTopic().toString()).isEqualTo("tenant/up/v3");
      c.close(); // no DISCONNECT: the will goes out, under the tenant's mountpoint
      var will = watched.receive(10, TimeUnit.SECONDS).orElseThrow();
      assertThat(will.getTopic().toString()).isEqualTo("tenant/status");
      assertThat(new String(will.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("gone");
    } finally {
      watcher.disconnect();
    }
  }

  @Test
  void a_client_id_modifier_names_the_brokers_session() {
    var c = v5(TestHookPlugin.RENAME_PREFIX + "dev1");
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> gw.session("renamed-dev1") != null);
      assertThat(gw.session("renamed-dev1").protocol()).isEqualTo("mqtt");
      assertThat(gw.session(TestHookPlugin.RENAME_PREFIX + "dev1")).isNull();
    } finally {
      c.disconnect();
    }
  }
}
