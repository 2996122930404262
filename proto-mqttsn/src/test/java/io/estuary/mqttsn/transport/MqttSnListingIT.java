package io.estuary.mqttsn.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.estuary.api.Payload;
import io.estuary.testkit.TestGateway;
import io.estuary.testkit.TestSession;
import io.estuary.mqttsn.MqttSnAdapterFactory;
import io.estuary.mqttsn.codec.MqttSnCodec;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The core's client listing shows an MQTT-SN client's state, its buffered messages and its topic ids,
 * both in {@code GET /api/v5/gateways/mqttsn/clients/{id}} (EMQX's gateway client listing: the adapter's fields
 * beside the client's) and in {@code Broker.sessionView}.
 */
@Timeout(60)
class MqttSnListingIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static TestGateway gw;
  static InetSocketAddress udp;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder()
        .config("gateway.mqttsn.listeners.udp.default.bind = \"127.0.0.1:0\"")
        .adapter(new MqttSnAdapterFactory())
        .start();
    udp = gw.listener("mqttsn", "udp:default");
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static JsonNode client(String id) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gw.apiAddress().getPort() + "/api/v5/gateways/mqttsn/clients/" + id))
            .header("Authorization", TestGateway.apiAuthorization()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  static Map<String, Object> attributes(String id) {
    TestSession v = gw.session(id);
    assertThat(v).as("session " + id + " listed").isNotNull();
    return v.attributes();
  }

  @Test
  void listing_shows_active_asleep_and_awake_with_buffered_count_and_topic_ids() throws Exception {
    Mqtt5BlockingClient pub = Mqtt5Client.builder().identifier("listing-pub").serverHost("127.0.0.1")
        .serverPort(gw.mqttPort()).buildBlocking();
    pub.connect();
    try (MqttSnTestClient c = new MqttSnTestClient(udp)) {
      c.connect("sn-listed", 60);
      c.send(new Register(0, 1, "listed/a"));
      Regack regack = c.expect(Regack.class);
      assertThat(regack.returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      int listedId = regack.topicId(); // a new plain-UDP client's first id is drawn at random (EchoProof)
      c.send(new Subscribe(false, 1, 2, new TopicRef.Name("listed/cmd/#")));
      assertThat(c.expect(Suback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);

      JsonNode active = client("sn-listed");
      assertThat(active.path("protocol").asText()).isEqualTo("mqttsn");
      assertThat(active.path("state").asText()).isEqualTo("active");
      assertThat(active.path("buffered").asInt()).isZero();
      assertThat(active.path("topic_ids").path("listed/a").asInt()).isEqualTo(listedId);
      assertThat(active.path("topic_ids_cnt").asInt()).isEqualTo(1);
      assertThat(active.path("keepalive").asLong()).isEqualTo(60);

      c.send(Disconnect.sleep(60));
      assertThat(c.expect(Disconnect.class)).isEqualTo(Disconnect.plain());
      for (int i = 0; i < 3; i++) {
        pub.publishWith().topic("listed/cmd/x").qos(MqttQos.AT_LEAST_ONCE).payload(("m" + i).getBytes()).send();
      }
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(attributes("sn-listed")).containsEntry("state", "asleep").containsEntry("buffered", 3));
      JsonNode asleep = client("sn-listed");
      assertThat(asleep.path("state").asText()).isEqualTo("asleep");
      assertThat(asleep.path("buffered").asInt()).isEqualTo(3);

      // wake up: the gateway registers listed/cmd/x first; while the REGACK is outstanding the client is
      // awake and the three messages wait in the gateway
      c.send(new PingReq("sn-listed"));
      Register reg = c.expect(Register.class);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(attributes("sn-listed")).containsEntry("state", "awake").containsEntry("buffered", 3));
      JsonNode awake = client("sn-listed");
      assertThat(awake.path("topic_ids").path("listed/cmd/x").asInt()).isEqualTo(reg.topicId());
      assertThat(awake.path("topic_ids_cnt").asInt()).isEqualTo(2);

      c.send(new Regack(reg.topicId(), reg.msgId(), ReturnCode.ACCEPTED));
      for (int i = 0; i < 3; i++) {
        Publish p = c.expect(Publish.class);
        c.send(new Puback(MqttSnCodec.topicIdField(p.topic()), p.msgId(), ReturnCode.ACCEPTED));
      }
      assertThat(c.expect(PingResp.class)).isEqualTo(new PingResp());
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(attributes("sn-listed")).containsEntry("state", "asleep").containsEntry("buffered", 0));
    } finally {
      pub.disconnect();
    }
  }

  @Test
  void the_listing_counts_every_topic_id_but_lists_only_the_lowest_hundred() throws Exception {
    try (MqttSnTestClient c = new MqttSnTestClient(udp)) {
      c.connect("sn-many", 90);
      java.util.TreeMap<Integer, String> byId = new java.util.TreeMap<>(); // ids start at a random place (EchoProof)
      for (int i = 1; i <= 120; i++) {
        c.send(new Register(0, i, "many/" + i));
        Regack regack = c.expect(Regack.class);
        assertThat(regack.returnCode()).isEqualTo(ReturnCode.ACCEPTED);
        byId.put(regack.topicId(), "many/" + i);
      }
      JsonNode listed = client("sn-many");
      assertThat(listed.path("topic_ids_cnt").asInt()).isEqualTo(120);
      assertThat(listed.path("topic_ids").size()).isEqualTo(100);
      int hundredth = byId.keySet().stream().skip(99).findFirst().orElseThrow();
      assertThat(listed.path("topic_ids").path(byId.get(hundredth)).asInt()).isEqualTo(hundredth);
      assertThat(listed.path("topic_ids").has(byId.higherEntry(hundredth).getValue())).isFalse();
      assertThat(listed.path("keepalive").asLong()).isEqualTo(90);
      assertThat(listed.path("state").asText()).isEqualTo("active");
    }
  }

  @Test
  void a_client_that_misses_its_wake_up_is_listed_as_lost() throws Exception {
    try (MqttSnTestClient c = new MqttSnTestClient(udp)) {
      c.send(new Connect(false, false, 60, "sn-lost")); // persistent: the session outlives the loss
      assertThat(c.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      // it proves its address (the REGACK's id used), or its missed wake-up would discard the new session
      c.send(new Register(0, 1, "lost/t"));
      Regack regack = c.expect(Regack.class);
      c.send(new Publish(false, 0, false, new TopicRef.Id(regack.topicId()), 0, Payload.utf8("here")));
      c.send(Disconnect.sleep(1));
      assertThat(c.expect(Disconnect.class)).isEqualTo(Disconnect.plain());
      assertThat(attributes("sn-lost")).containsEntry("state", "asleep");
      // 1 s × keepalive_multiplier 1.5 without PINGREQ: lost. The session stays (persistent) without a
      // connection; the listing keeps the adapter's last word: state "lost", closed by the sleep timeout
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(gw.session("sn-lost").state()).isEqualTo("disconnected"));
      assertThat(attributes("sn-lost")).containsEntry("state", "lost").containsEntry("close_reason", "sleep_timeout");
      assertThat(client("sn-lost").path("conn_state").asText()).isEqualTo("disconnected");
    }
  }
}
