package io.estuary.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged gateway with {@code persistence.max_bytes} (issue #13): filled to the cap, QoS 1 publishes
 * for a persistent subscriber get PUBACK 0x97; killed with SIGKILL and restarted on the same directory,
 * the cap still holds before anything is written, and every message acknowledged before the kill arrives;
 * once the subscriber has drained its queue the freed space admits publishes again.
 */
@Timeout(180)
class StoreLimitsProcessIT {
  private static final Random RANDOM = new Random(17);
  static final String CONF = """
      persistence.enabled = true
      persistence.sync = interval
      persistence.max_bytes = 200KiB
      mqtt.max_mqueue_len = 100000
      """;

  static byte[] payload(int i) {
    byte[] noise = new byte[750];
    RANDOM.nextBytes(noise);
    return ("m" + i + "|" + Base64.getEncoder().encodeToString(noise)).getBytes(StandardCharsets.UTF_8);
  }

  static String name(byte[] payload) {
    String s = new String(payload, StandardCharsets.UTF_8);
    return s.substring(0, s.indexOf('|'));
  }

  static GatewayProcess start(Path conf) throws Exception {
    GatewayProcess gw = GatewayProcess.start(conf, Map.of());
    assertThat(gw.awaitLine("Estuary started", Duration.ofSeconds(60))).as(gw.output()).isTrue();
    return gw;
  }

  static Mqtt5BlockingClient client(int port, String id) {
    return Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(port).buildBlocking();
  }

  static Mqtt5PubAckReasonCode refusal(Mqtt5BlockingClient pub, int i) {
    var e = catchThrowableOfType(() -> pub.publishWith().topic("cap/t").qos(MqttQos.AT_LEAST_ONCE).payload(payload(i)).send(),
        Mqtt5PubAckException.class);
    return e == null ? null : e.getMqttMessage().getReasonCode();
  }

  @Test
  void filled_to_the_cap_refused_with_0x97_killed_and_restarted_every_acknowledged_message_arrives(@TempDir Path dir)
      throws Exception {
    Path conf = GatewayProcess.config(dir, CONF);
    List<String> acked = new ArrayList<>();
    try (GatewayProcess gw = start(conf)) {
      int port = gw.port("mqtt", "tcp:default");
      var sub = client(port, "cap-sub");
      sub.connectWith().sessionExpiryInterval(3600).send();
      sub.subscribeWith().topicFilter("cap/#").qos(MqttQos.AT_LEAST_ONCE).send();
      sub.disconnect();
      var pub = client(port, "cap-pub");
      pub.connect();
      Mqtt5PubAckReasonCode refused = null;
      for (int i = 0; i < 2000 && refused == null; i++) {
        byte[] p = payload(i);
        try {
          pub.publishWith().topic("cap/t").qos(MqttQos.AT_LEAST_ONCE).payload(p).send();
          acked.add(name(p));
        } catch (Mqtt5PubAckException e) {
          refused = e.getMqttMessage().getReasonCode();
        }
      }
      assertThat(refused).as("the cap is reached").isEqualTo(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
      assertThat(acked.size()).isBetween(100, 250);
      for (int i = 0; i < 3; i++) {
        assertThat(refusal(pub, 10_000 + i)).isEqualTo(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
      }
      assertThat(gw.awaitLine("store refuses new persistent work (max_bytes)", Duration.ofSeconds(10))).isTrue();
      gw.kill(); // SIGKILL right after the last acknowledgement
      assertThat(gw.waitForExit(Duration.ofSeconds(20))).isNotNull();
    }
    try (GatewayProcess gw = start(conf)) {
      int port = gw.port("mqtt", "tcp:default");
      var pub = client(port, "cap-pub");
      pub.connect();
      assertThat(refusal(pub, 20_000)).as("the size is known at open").isEqualTo(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
      var sub = client(port, "cap-sub");
      try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
        sub.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
        List<String> got = new ArrayList<>();
        while (got.size() < acked.size()) {
          var p = publishes.receive(20, TimeUnit.SECONDS);
          assertThat(p).as("message %d of %d", got.size(), acked.size()).isPresent();
          got.add(name(p.get().getPayloadAsBytes()));
        }
        assertThat(got).containsExactlyElementsOf(acked);
        assertThat(publishes.receive(500, TimeUnit.MILLISECONDS)).as("nothing refused arrives").isEmpty();
      }
      sub.disconnect();
      // the drained queue's deletes are compacted while over the cap: publishes are admitted again
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> refusal(pub, 30_000) == null);
      pub.disconnect();
      assertThat(gw.output()).doesNotContain("corrupt");
    }
  }
}
