package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.estuary.testkit.RawMqttClient;
import io.estuary.testkit.TestGateway;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #13's listener rates and MQTT 5 topic alias checks, seen by real clients: {@code max_conn_rate} closes
 * connections at accept, {@code messages_rate} and {@code bytes_rate} slow a publisher to the rate without losing
 * anything, and an alias that is out of range, unknown or bound to an invalid topic gets the spec's DISCONNECT.
 */
@Timeout(60)
class MqttRatesIT {

  @Test
  void a_connection_over_max_conn_rate_is_closed_at_accept_and_counted() throws Exception {
    try (TestGateway gw = TestGateway.builder().config("listeners.tcp.default.max_conn_rate = \"3/m\"").start()) {
      List<RawMqttClient> admitted = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        RawMqttClient c = new RawMqttClient(gw.mqttPort());
        admitted.add(c);
        MqttConnAckMessage ack = (MqttConnAckMessage) c.connect("rate-" + i, 4, true, 60);
        assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
      }
      try (RawMqttClient fourth = new RawMqttClient(gw.mqttPort())) {
        assertThat(fourth.closedByServer(Duration.ofSeconds(5))).as("closed at accept, before any packet").isTrue();
      }
      assertThat(gw.metrics().counter("mqtt.drops", "reason", "max_conn_rate").count()).isEqualTo(1);
      assertThat(gw.sessions()).hasSize(3);
      for (RawMqttClient c : admitted) {
        c.close();
      }
    }
  }

  @Test
  void a_publisher_over_messages_rate_is_slowed_to_the_rate_and_loses_nothing() throws Exception {
    int count = 100;
    int rate = 20;
    try (TestGateway gw = TestGateway.builder().config("listeners.tcp.default.messages_rate = \"" + rate + "/s\"").start()) {
      List<Long> arrivals = subscribe(gw, "mr/#");
      Mqtt3AsyncClient pub = Mqtt3Client.builder().identifier("mr-pub").serverHost("127.0.0.1").serverPort(gw.mqttPort())
          .buildAsync();
      pub.connect().get();
      List<CompletableFuture<?>> acks = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        acks.add(pub.publishWith().topic("mr/x").qos(MqttQos.AT_LEAST_ONCE).payload(("m" + i).getBytes(StandardCharsets.UTF_8))
            .send());
      }
      CompletableFuture.allOf(acks.toArray(new CompletableFuture[0])).get();
      await("every message delivered").atMost(Duration.ofSeconds(20)).until(() -> arrivals.size() == count);
      // the first `rate` ride the bucket's burst; measured over the second half, well after it
      int from = count / 2;
      double seconds = (arrivals.get(count - 1) - arrivals.get(from)) / 1e9;
      double measured = (count - 1 - from) / seconds;
      System.out.printf("MqttRatesIT messages_rate %d/s: messages %d..%d in %.2f s = %.1f/s%n",
          rate, from, count - 1, seconds, measured);
      assertThat(measured).as("measured publish rate after the burst").isBetween(rate * 0.6, rate * 1.25);
      assertThat(gw.metrics().counter("mqtt.publish.received").count()).isEqualTo(count);
      assertThat(gw.metrics().counter("mqtt.reads.paused", "reason", "messages_rate").count()).isPositive();
      pub.disconnect().get();
    }
  }

  @Test
  void a_publisher_over_bytes_rate_is_slowed_to_the_rate_and_loses_nothing() throws Exception {
    int count = 40;
    int kib = 8;
    try (TestGateway gw = TestGateway.builder().config("listeners.tcp.default.bytes_rate = \"" + kib + "KB/s\"").start()) {
      List<Long> arrivals = subscribe(gw, "br/#");
      Mqtt5AsyncClient pub = Mqtt5Client.builder().identifier("br-pub").serverHost("127.0.0.1").serverPort(gw.mqttPort())
          .buildAsync();
      pub.connect().get();
      byte[] payload = new byte[1024];
      List<CompletableFuture<?>> acks = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        acks.add(pub.publishWith().topic("br/x").qos(MqttQos.AT_LEAST_ONCE).payload(payload).send());
      }
      CompletableFuture.allOf(acks.toArray(new CompletableFuture[0])).get();
      await("every message delivered").atMost(Duration.ofSeconds(20)).until(() -> arrivals.size() == count);
      int burst = kib; // one period's worth: ~8 messages of 1 KiB
      double seconds = (arrivals.get(count - 1) - arrivals.get(burst)) / 1e9;
      double measured = (count - 1 - burst) * 1024 / seconds / 1024;
      System.out.printf("MqttRatesIT bytes_rate %dKB/s: %d KiB of payload after the burst in %.2f s = %.1f KiB/s%n",
          kib, count - 1 - burst, seconds, measured);
      assertThat(measured).as("measured payload KiB/s after the burst (headers make the wire rate a bit higher)")
          .isBetween(kib * 0.6, kib * 1.25);
      assertThat(gw.metrics().counter("mqtt.publish.received").count()).isEqualTo(count);
      assertThat(gw.metrics().counter("mqtt.reads.paused", "reason", "bytes_rate").count()).isPositive();
      pub.disconnect().get();
    }
  }

  /** A QoS 1 subscriber on another listener-less client id; returns the arrival times (nanos), in order. */
  private static List<Long> subscribe(TestGateway gw, String filter) throws Exception {
    List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
    Mqtt5AsyncClient sub = Mqtt5Client.builder().identifier("sub-" + filter.charAt(0)).serverHost("127.0.0.1")
        .serverPort(gw.mqttPort()).buildAsync();
    sub.connect().get();
    sub.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).callback(p -> arrivals.add(System.nanoTime())).send().get();
    return arrivals;
  }

  @Test
  void a_topic_alias_beyond_the_maximum_gets_disconnect_0x94() throws Exception {
    try (TestGateway gw = TestGateway.builder().config("mqtt.max_topic_alias = 4").start();
        RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      c.connect("alias-max", 5, true, 60);
      c.sendRaw(publishWithAlias("al/x", 5));
      assertThat(disconnectReason(c)).isEqualTo(0x94); // topic alias invalid
      assertThat(gw.metrics().counter("mqtt.drops", "reason", "topic_alias").count()).isEqualTo(1);
    }
  }

  @Test
  void an_unknown_topic_alias_gets_disconnect_0x82() throws Exception {
    try (TestGateway gw = TestGateway.builder().config("mqtt.max_topic_alias = 4").start();
        RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      c.connect("alias-unknown", 5, true, 60);
      c.sendRaw(publishWithAlias("", 2));
      assertThat(disconnectReason(c)).isEqualTo(0x82); // protocol error
      assertThat(gw.metrics().counter("mqtt.drops", "reason", "topic_alias").count()).isEqualTo(1);
    }
  }

  @Test
  void a_topic_alias_for_an_invalid_topic_is_refused_with_0x90_before_it_is_stored_and_a_valid_one_resolves() throws Exception {
    try (TestGateway gw = TestGateway.builder().config("mqtt.max_topic_alias = 4\nmqtt.max_topic_levels = 3").start()) {
      List<Long> arrivals = subscribe(gw, "al/#");
      try (RawMqttClient good = new RawMqttClient(gw.mqttPort())) {
        good.connect("alias-good", 5, true, 60);
        good.sendRaw(publishWithAlias("al/x", 1));
        good.sendRaw(publishWithAlias("", 1));
        await("both publishes routed, the second by its alias").atMost(Duration.ofSeconds(10)).until(() -> arrivals.size() == 2);
      }
      // a wildcard is refused by the packet decoder already (0x81 malformed), more levels than mqtt.max_topic_levels
      // by the channel's topic check (0x90 topic name invalid), both before the alias table sees the topic
      String[][] cases = {{"al/+", "129"}, {"al/x/y/z", "144"}};
      for (String[] bad : cases) {
        try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
          c.connect("alias-bad", 5, true, 60);
          c.sendRaw(publishWithAlias(bad[0], 1));
          assertThat(disconnectReason(c)).as("alias for '%s'", bad[0]).isEqualTo(Integer.parseInt(bad[1]));
        }
      }
      assertThat(gw.metrics().counter("mqtt.publish.received").count()).isEqualTo(2);
      // the wildcard never reaches the channel (the decoder refuses the packet); the level check does
      assertThat(gw.metrics().counter("mqtt.drops", "reason", "topic_alias").count()).isEqualTo(1);
    }
  }

  @Test
  void topic_aliases_over_max_packet_size_characters_of_names_get_disconnect_0x97() throws Exception {
    try (TestGateway gw = TestGateway.builder().config("mqtt.max_topic_alias = 10\nmqtt.max_packet_size = 1KB").start()) {
      List<Long> arrivals = subscribe(gw, "b/#");
      try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
        c.connect("alias-budget", 5, true, 60);
        String name = "b/" + "n".repeat(298); // 300 characters: three fit in 1,024, a fourth does not
        for (int alias = 1; alias <= 3; alias++) {
          c.sendRaw(publishWithAlias(name.substring(0, 299) + alias, alias));
        }
        c.sendRaw(publishWithAlias(name.substring(0, 299) + "1", 1)); // rebinding an alias takes no more room
        await("four publishes routed").atMost(Duration.ofSeconds(10)).until(() -> arrivals.size() == 4);
        c.sendRaw(publishWithAlias(name.substring(0, 299) + "4", 4));
        assertThat(disconnectReason(c)).as("quota exceeded").isEqualTo(0x97);
      }
      assertThat(gw.metrics().counter("mqtt.drops", "reason", "topic_alias").count()).isEqualTo(1);
      assertThat(arrivals).hasSize(4);
    }
  }

  private static int disconnectReason(RawMqttClient c) throws Exception {
    MqttMessage d = c.await(MqttMessageType.DISCONNECT, Duration.ofSeconds(5));
    assertThat(d).as("a DISCONNECT from the server").isNotNull();
    assertThat(c.closedByServer(Duration.ofSeconds(5))).isTrue();
    return ((MqttReasonCodeAndPropertiesVariableHeader) d.variableHeader()).reasonCode() & 0xFF;
  }

  /** An MQTT 5 QoS 0 PUBLISH with a Topic Alias property, encoded by hand (Netty refuses wildcard topics). */
  private static byte[] publishWithAlias(String topic, int alias) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] t = topic.getBytes(StandardCharsets.UTF_8);
    body.write(t.length >> 8);
    body.write(t.length);
    body.writeBytes(t);
    body.writeBytes(new byte[] {3, 0x23, (byte) (alias >> 8), (byte) alias}); // properties: topic alias
    body.writeBytes("p".getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x30);
    for (int n = body.size(); ; ) { // remaining length, MQTT's variable byte integer
      int digit = n % 128;
      n /= 128;
      out.write(n > 0 ? digit | 0x80 : digit);
      if (n == 0) {
        break;
      }
    }
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }
}
