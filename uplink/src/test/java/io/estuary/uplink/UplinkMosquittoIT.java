package io.estuary.uplink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.testkit.TestGateway;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Uplinks against a real upstream broker (mosquitto): both directions, outages, loops, scale-out. */
@Timeout(120)
class UplinkMosquittoIT {
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  static TestGateway gateway(String node, int upstreamPort, String uplinkBody) {
    return TestGateway.builder()
        .config("node.name = \"" + node + "\"")
        .config("""
            uplink.cloud {
              enable = true
              server = "127.0.0.1:%d"
              reconnect { min = 100ms, max = 500ms }
              %s
            }
            """.formatted(upstreamPort, uplinkBody))
        .adapter(new UplinkAdapterFactory())
        .start();
  }

  static String status(TestGateway gw) {
    var a = (UplinkAdapter) gw.adapter("uplink");
    return a.uplinkStatus().get(0).toJson();
  }

  static void awaitConnected(TestGateway gw) {
    await("uplink connected").atMost(DEADLINE).until(() -> status(gw).contains("\"connected\":true"));
  }

  @Test
  void forwards_local_qos1_messages_upstream_with_the_origin_marker() throws Exception {
    try (Mosquitto up = Mosquitto.launch();
         Clients.Recorder spy = Clients.connect(up.port()).subscribe("site1/#", 1);
         TestGateway gw = gateway("a@127.0.0.1", up.port(),
             "forwards = [{ filter = \"devices/#\", exclude = [\"devices/private/#\"], remote_topic = \"site1/${topic}\", qos = 1 }]");
         Clients.Recorder device = Clients.connect(gw.mqttPort())) {
      awaitConnected(gw);
      device.publish("devices/private/x", "secret", 1);
      device.publish("devices/d1/temp", "21.5", 1);

      await().atMost(DEADLINE).until(() -> spy.count("site1/devices/d1/temp") == 1);
      Mqtt5Publish p = spy.received.stream().filter(m -> m.getTopic().toString().equals("site1/devices/d1/temp")).findFirst().orElseThrow();
      assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("21.5");
      assertThat(p.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
      assertThat(p.getUserProperties().asList()).anySatisfy(u -> {
        assertThat(u.getName().toString()).isEqualTo("estuary-origin");
        assertThat(u.getValue().toString()).isEqualTo("a@127.0.0.1");
      });
      assertThat(spy.topics()).doesNotContain("site1/devices/private/x");
    }
  }

  @Test
  void an_mqtt_3_1_1_upstream_gets_qos1_forwards_and_bridges_its_messages_in() throws Exception {
    try (Mosquitto up = Mosquitto.launch();
         Clients.Recorder cloud = Clients.connect(up.port()).subscribe("site1/up/#", 1);
         TestGateway gw = gateway("a@127.0.0.1", up.port(), """
             proto_ver = v4
             forwards = [{ filter = "devices/#", remote_topic = "site1/up/${topic}", qos = 1 }]
             subscriptions = [{ remote_filter = "site1/cmd/#", local_topic = "${topic}", qos = 1 }]
             """);
         Clients.Recorder device = Clients.connect(gw.mqttPort()).subscribe("site1/cmd/#", 1)) {
      awaitConnected(gw);
      for (int i = 0; i < 20; i++) {
        device.publish("devices/v4", Integer.toString(i), 1);
      }
      await().atMost(DEADLINE).until(() -> cloud.count("site1/up/devices/v4") == 20);
      assertThat(cloud.payloads("site1/up/devices/v4")).isEqualTo(IntStream.range(0, 20).mapToObj(Integer::toString).toList());
      Mqtt5Publish p = cloud.received.get(0);
      assertThat(p.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
      assertThat(p.getUserProperties().asList()).as("MQTT 3.1.1 has no user properties").isEmpty();
      await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).until(() -> {
        cloud.publish("site1/cmd/probe", "p", 1);
        return device.count("site1/cmd/probe") > 0;
      });
      cloud.publish("site1/cmd/valve", "open", 1);
      await().atMost(DEADLINE).until(() -> device.count("site1/cmd/valve") == 1);
      assertThat(device.payloads("site1/cmd/valve")).containsExactly("open");
    }
  }

  @Test
  void bridges_upstream_messages_to_local_subscribers_with_the_local_topic_template() throws Exception {
    try (Mosquitto up = Mosquitto.launch();
         Clients.Recorder cloud = Clients.connect(up.port());
         TestGateway gw = gateway("a@127.0.0.1", up.port(),
             "subscriptions = [{ remote_filter = \"site1/cmd/#\", local_topic = \"cmd/${node}/${topic}\", qos = 1 }]");
         Clients.Recorder device = Clients.connect(gw.mqttPort()).subscribe("cmd/#", 1)) {
      awaitConnected(gw);
      // the upstream subscription is made right after connecting: probe until it is in place
      await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).until(() -> {
        cloud.publish("site1/cmd/probe", "p", 1);
        return device.count("cmd/a@127.0.0.1/site1/cmd/probe") > 0;
      });
      cloud.publish("site1/cmd/valve", "open", 1);

      await().atMost(DEADLINE).until(() -> device.count("cmd/a@127.0.0.1/site1/cmd/valve") == 1);
      assertThat(device.payloads("cmd/a@127.0.0.1/site1/cmd/valve")).containsExactly("open");
      assertThat(device.received.stream().filter(m -> m.getTopic().toString().endsWith("valve")).findFirst().orElseThrow().getQos())
          .isEqualTo(MqttQos.AT_LEAST_ONCE);
    }
  }

  @ParameterizedTest(name = "clean_start = {0}")
  @ValueSource(booleans = {false, true})
  void an_upstream_outage_loses_no_qos1_message_and_keeps_their_order(boolean cleanStart) throws Exception {
    int n = 300;
    try (Mosquitto up = Mosquitto.launchPersistent();
         Clients.Recorder spy = Clients.connectPersistent(up.port(), "spy").subscribe("site1/#", 1);
         TestGateway gw = gateway("a@127.0.0.1", up.port(), "clean_start = " + cleanStart + "\n"
             + "forwards = [{ filter = \"devices/#\", remote_topic = \"site1/${topic}\", qos = 1 }]");
         Clients.Recorder device = Clients.connect(gw.mqttPort());
         Clients.Recorder statusWatcher = Clients.connect(gw.mqttPort()).subscribe("$SYS/brokers/+/uplink/cloud/status", 0)) {
      awaitConnected(gw);
      for (int i = 0; i < n / 3; i++) {
        device.publish("devices/seq", Integer.toString(i), 1);
      }
      await().atMost(DEADLINE).until(() -> !spy.payloads("site1/devices/seq").isEmpty());
      up.stop(); // mid-stream: some forwards are in flight, the rest queue in the uplink's session
      await("uplink down").atMost(DEADLINE).until(() -> status(gw).contains("\"connected\":false"));
      for (int i = n / 3; i < n; i++) {
        device.publish("devices/seq", Integer.toString(i), 1);
      }
      up.start();

      List<String> expected = IntStream.range(0, n).mapToObj(Integer::toString).toList();
      await().atMost(DEADLINE).untilAsserted(() -> assertThat(spy.payloads("site1/devices/seq").stream().distinct().count())
          .as("distinct messages upstream; status %s; missing %s", status(gw),
              expected.stream().filter(x -> !spy.payloads("site1/devices/seq").contains(x)).limit(20).toList())
          .isEqualTo(n));
      // QoS 1 allows duplicates of messages in flight at the cut, never loss or reordering
      assertThat(spy.payloads("site1/devices/seq").stream().distinct().toList()).isEqualTo(expected);
      awaitConnected(gw);
      assertThat(statusWatcher.payloads("$SYS/brokers/a@127.0.0.1/uplink/cloud/status"))
          .anySatisfy(s -> assertThat(s).contains("\"connected\":false"))
          .last().asString().contains("\"connected\":true");
    }
  }

  @Test
  void a_node_never_forwards_back_what_it_received_and_drops_its_own_echo() throws Exception {
    String same = """
        forwards = [{ filter = "devices/#", remote_topic = "${topic}", qos = 1 }]
        subscriptions = [{ remote_filter = "devices/#", local_topic = "${topic}", qos = 1 }]
        """;
    try (Mosquitto up = Mosquitto.launch();
         Clients.Recorder cloud = Clients.connect(up.port()).subscribe("devices/#", 1);
         TestGateway gw = gateway("a@127.0.0.1", up.port(), same);
         Clients.Recorder local = Clients.connect(gw.mqttPort()).subscribe("devices/#", 1)) {
      awaitConnected(gw);
      await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).until(() -> {
        cloud.publish("devices/probe", "p", 1);
        return local.count("devices/probe") > 0;
      });

      local.publish("devices/up", "from-local", 1);          // forwarded once, not echoed back
      cloud.client.publishWith().topic("devices/forged").qos(MqttQos.AT_LEAST_ONCE)
          .userProperties().add("estuary-origin", "a@127.0.0.1").applyUserProperties()
          .payload("loop".getBytes(StandardCharsets.UTF_8)).send(); // claims to come from this node: dropped
      cloud.publish("devices/down", "from-cloud", 1);         // bridged in once, not forwarded back
      // markers: one per direction, sent last; once they arrived everything before them has settled
      cloud.publish("devices/marker-in", "m", 1);
      await().atMost(DEADLINE).until(() -> local.count("devices/marker-in") == 1);
      local.publish("devices/marker-out", "m", 1);
      await().atMost(DEADLINE).until(() -> cloud.count("devices/marker-out") == 1);

      assertThat(cloud.count("devices/up")).isEqualTo(1);
      assertThat(local.count("devices/up")).isEqualTo(1);
      assertThat(local.count("devices/forged")).isZero();
      assertThat(local.count("devices/down")).isEqualTo(1);
      assertThat(cloud.count("devices/down")).isEqualTo(1);
    }
  }

  @Test
  void two_gateways_on_one_upstream_reach_each_other_without_echo_or_loop() throws Exception {
    String same = """
        forwards = [{ filter = "devices/#", remote_topic = "${topic}", qos = 1 }]
        subscriptions = [{ remote_filter = "devices/#", local_topic = "${topic}", qos = 1 }]
        """;
    try (Mosquitto up = Mosquitto.launch();
         Clients.Recorder cloud = Clients.connect(up.port()).subscribe("devices/#", 1);
         TestGateway a = gateway("a@127.0.0.1", up.port(), same);
         TestGateway b = gateway("b@127.0.0.1", up.port(), same);
         Clients.Recorder onA = Clients.connect(a.mqttPort()).subscribe("devices/#", 1);
         Clients.Recorder onB = Clients.connect(b.mqttPort()).subscribe("devices/#", 1)) {
      awaitConnected(a);
      awaitConnected(b);
      await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).until(() -> {
        cloud.publish("devices/probe", "p", 1);
        return onA.count("devices/probe") > 0 && onB.count("devices/probe") > 0;
      });

      onA.publish("devices/a1/temp", "20", 1);
      await().atMost(DEADLINE).until(() -> onB.count("devices/a1/temp") == 1);
      onB.publish("devices/b1/temp", "30", 1);
      await().atMost(DEADLINE).until(() -> onA.count("devices/b1/temp") == 1);
      // settle: a marker through the whole path A -> cloud -> B, sent after everything else
      onA.publish("devices/marker", "m", 1);
      await().atMost(DEADLINE).until(() -> onB.count("devices/marker") == 1 && cloud.count("devices/marker") == 1);
      onB.publish("devices/marker2", "m", 1);
      await().atMost(DEADLINE).until(() -> onA.count("devices/marker2") == 1);

      assertThat(onA.count("devices/a1/temp")).as("A's own subscriber, no echo").isEqualTo(1);
      assertThat(onB.count("devices/a1/temp")).isEqualTo(1);
      assertThat(cloud.count("devices/a1/temp")).as("B does not forward it back").isEqualTo(1);
      assertThat(onB.count("devices/b1/temp")).isEqualTo(1);
      assertThat(onA.count("devices/b1/temp")).isEqualTo(1);
      assertThat(cloud.count("devices/b1/temp")).isEqualTo(1);
    }
  }
}
