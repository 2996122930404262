package io.estuary.uplink;

import static io.estuary.uplink.UplinkMosquittoIT.awaitConnected;
import static io.estuary.uplink.UplinkMosquittoIT.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import io.estuary.testkit.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The store-and-forward buffer's caps (messages, bytes, age) and overflow policies, the publisher's
 * client id in the remote topic, and the buffer in the gateway's status output, against mosquitto.
 */
@Timeout(120)
class UplinkBufferIT {
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  /** Starts the gateway, waits for the uplink, then stops mosquitto: from here on everything buffers. */
  private static TestGateway gatewayWithUpstreamDown(Mosquitto up, String body) {
    TestGateway gw = UplinkMosquittoIT.gateway("a@127.0.0.1", up.port(), body);
    awaitConnected(gw);
    up.stop();
    await("uplink down").atMost(DEADLINE).until(() -> status(gw).contains("\"connected\":false"));
    return gw;
  }

  private static Mqtt5AsyncClient publisher(TestGateway gw, String clientId) {
    Mqtt5AsyncClient c = MqttClient.builder().useMqttVersion5().identifier(clientId)
        .serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildAsync();
    c.connect().join();
    return c;
  }

  private static CompletableFuture<Mqtt5PublishResult> publish(Mqtt5AsyncClient c, String topic, String payload) {
    return c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload.getBytes(StandardCharsets.UTF_8)).send();
  }

  private static long done(List<CompletableFuture<Mqtt5PublishResult>> acks) {
    return acks.stream().filter(CompletableFuture::isDone).count();
  }

  @Test
  void backpressure_holds_back_pubacks_while_the_buffer_is_full_and_loses_nothing() throws Exception {
    int cap = 5;
    int extra = 7;
    try (Mosquitto up = Mosquitto.launchPersistent();
         Clients.Recorder spy = Clients.connectPersistent(up.port(), "spy").subscribe("site1/#", 1);
         TestGateway gw = gatewayWithUpstreamDown(up, """
             buffer { max_messages = %d, overflow = backpressure }
             forwards = [{ filter = "devices/#", remote_topic = "site1/${topic}", qos = 1 }]
             """.formatted(cap))) {
      Mqtt5AsyncClient device = publisher(gw, "device-bp");
      List<CompletableFuture<Mqtt5PublishResult>> acks = new ArrayList<>();
      for (int i = 0; i < cap + extra; i++) {
        acks.add(publish(device, "devices/seq", Integer.toString(i)));
      }
      await("the first PUBACKs").atMost(DEADLINE).until(() -> done(acks) == cap);
      // the rest stay unacknowledged while the upstream is down (polled, not slept)
      await("PUBACKs stall at the cap").during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5))
          .until(() -> done(acks) == cap);
      assertThat(acks.subList(0, cap)).allMatch(CompletableFuture::isDone);
      assertThat(status(gw)).as("held messages wait in the buffer").contains("\"backlog\":" + (cap + extra));

      up.start();
      await("PUBACKs resume").atMost(DEADLINE).until(() -> done(acks) == cap + extra);
      acks.forEach(a -> assertThat(a.join().getError()).isEmpty());
      List<String> expected = IntStream.range(0, cap + extra).mapToObj(Integer::toString).toList();
      await("everything upstream").atMost(DEADLINE)
          .until(() -> spy.payloads("site1/devices/seq").stream().distinct().count() == cap + extra);
      assertThat(spy.payloads("site1/devices/seq").stream().distinct().toList()).as("in order").isEqualTo(expected);
      device.disconnect().join();
    }
  }

  @Test
  void the_byte_cap_drops_the_oldest_and_the_backlog_reports_bytes() throws Exception {
    // each message is topic "devices/b" (9 bytes) + payload "m00".."m19" (3 bytes) = 12 bytes
    try (Mosquitto up = Mosquitto.launchPersistent();
         Clients.Recorder spy = Clients.connectPersistent(up.port(), "spy").subscribe("site1/#", 1);
         TestGateway gw = gatewayWithUpstreamDown(up, """
             buffer { max_bytes = 120, overflow = drop_oldest }
             forwards = [{ filter = "devices/#", remote_topic = "site1/${topic}", qos = 1 }]
             """);
         Clients.Recorder device = Clients.connect(gw.mqttPort())) {
      for (int i = 0; i < 20; i++) {
        device.publish("devices/b", "m%02d".formatted(i), 1);
      }
      await("capped backlog").atMost(DEADLINE)
          .until(() -> status(gw).contains("\"backlog\":10,") && status(gw).contains("\"backlog_bytes\":120,"));
      assertThat(metric(gw, "estuary_uplink_backlog_bytes")).isEqualTo(120);
      assertThat(metric(gw, "estuary_messages_dropped_total", "reason=\"queue_full\"")).isEqualTo(10);

      up.start();
      List<String> newest = IntStream.range(10, 20).mapToObj(i -> "m%02d".formatted(i)).toList();
      await("the newest ten upstream").atMost(DEADLINE)
          .until(() -> spy.payloads("site1/devices/b").stream().distinct().count() == 10);
      device.publish("devices/b", "marker", 1);
      await().atMost(DEADLINE).until(() -> spy.payloads("site1/devices/b").contains("marker"));
      assertThat(spy.payloads("site1/devices/b").stream().distinct().toList()).containsSequence(newest).doesNotContain("m09");
      await().atMost(DEADLINE).until(() -> status(gw).contains("\"backlog_bytes\":0,"));
    }
  }

  @Test
  void messages_older_than_max_age_expire_from_the_buffer_and_are_counted() throws Exception {
    try (Mosquitto up = Mosquitto.launchPersistent();
         Clients.Recorder spy = Clients.connectPersistent(up.port(), "spy").subscribe("site1/#", 1);
         TestGateway gw = gatewayWithUpstreamDown(up, """
             buffer { max_age = 3s }
             forwards = [{ filter = "devices/#", remote_topic = "site1/${topic}", qos = 1 }]
             """);
         Clients.Recorder device = Clients.connect(gw.mqttPort())) {
      for (int i = 0; i < 5; i++) {
        device.publish("devices/old", "old" + i, 1);
      }
      await("backlog").atMost(DEADLINE).until(() -> status(gw).contains("\"backlog\":5,"));
      // nothing touches the queue now: the session's own timer expires them
      await("expired").atMost(DEADLINE).until(() -> status(gw).contains("\"backlog\":0,"));
      assertThat(metric(gw, "estuary_messages_dropped_total", "reason=\"queue_age\"")).isEqualTo(5);

      up.start();
      awaitConnected(gw);
      device.publish("devices/old", "fresh", 1);
      await().atMost(DEADLINE).until(() -> spy.payloads("site1/devices/old").contains("fresh"));
      assertThat(spy.payloads("site1/devices/old")).containsOnly("fresh");
    }
  }

  @Test
  void remote_topic_clientid_is_the_local_publisher_and_a_wildcard_one_cannot_even_connect() throws Exception {
    try (Mosquitto up = Mosquitto.launch();
         Clients.Recorder spy = Clients.connect(up.port()).subscribe("site1/#", 1);
         TestGateway gw = UplinkMosquittoIT.gateway("a@127.0.0.1", up.port(),
             "forwards = [{ filter = \"devices/#\", remote_topic = \"site1/${clientid}/${topic}\", qos = 1 }]")) {
      awaitConnected(gw);
      Mqtt5AsyncClient dev = publisher(gw, "dev-42");
      // issue #12: a wildcard client id is refused at connect (0x85), so it never reaches ${clientid};
      // the mapping's own drop of such ids (invalid_topic) stays covered by MappingTest
      Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> publisher(gw, "odd+id"));
      assertThat(refused).hasCauseInstanceOf(com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException.class);
      assertThat(((com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException) refused.getCause()).getMqttMessage()
          .getReasonCode().getCode()).isEqualTo(0x85);
      publish(dev, "devices/t", "hello").join();
      await().atMost(DEADLINE).until(() -> spy.count("site1/dev-42/devices/t") == 1);
      assertThat(spy.payloads("site1/dev-42/devices/t")).containsExactly("hello");
      assertThat(spy.topics()).containsExactly("site1/dev-42/devices/t");
      dev.disconnect().join();
    }
  }

  @Test
  void the_gateway_status_output_lists_the_uplink_with_backlog_bytes_and_last_error() throws Exception {
    try (Mosquitto up = Mosquitto.launch();
         TestGateway gw = gatewayWithUpstreamDown(up, """
             forwards = [{ filter = "devices/#", remote_topic = "site1/${topic}", qos = 1 }]
             """);
         Clients.Recorder device = Clients.connect(gw.mqttPort())) {
      device.publish("devices/s", "12345", 1); // 9 + 5 bytes
      await().atMost(DEADLINE).untilAsserted(() -> assertThat(http(gw, "/status"))
          .startsWith("Node a@127.0.0.1 is started\nestuary is running\n")
          .contains("adapter uplink: running")
          .containsPattern("uplink cloud: \\{.*\"status\":\"disconnected\".*\"backlog\":1,\"backlog_bytes\":14,")
          .containsPattern("\"last_error\":\"[^\"]+\"")
          .containsPattern("\"last_connected_at\":[1-9]"));
    }
  }

  static String http(TestGateway gw, String path) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.apiAddress().getPort() + path))
            .header("Authorization", TestGateway.apiAuthorization()).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  static long metric(TestGateway gw, String name, String... labels) throws Exception {
    return http(gw, "/metrics").lines().filter(l -> l.startsWith(name + "{"))
        .filter(l -> List.of(labels).stream().allMatch(l::contains))
        .filter(l -> labels.length > 0 || l.contains("uplink=\"cloud\""))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
