package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.exceptions.MqttSessionExpiredException;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubRecException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrec.Mqtt5PubRecReasonCode;
import io.estuary.testkit.TestGateway;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Store limits with real clients (issue #13): over {@code persistence.max_bytes} or with a failing disk,
 * QoS 1/2 publishes that would be stored get 0x97 (3.1.1: the connection closes unacknowledged), new
 * persistent sessions get CONNACK 0x97 / 0x03, while QoS 0 keeps flowing, clean sessions connect and
 * every acknowledged message reaches its persistent subscriber. Counters are {@code store.refused{reason, work}}.
 */
@Timeout(120)
class MqttStoreLimitsIT {
  private static final Random RANDOM = new Random(13);

  @TempDir Path dir;

  /** ~1 KB, incompressible, starting with "m<i>|" so the subscriber can name it. */
  static byte[] payload(int i) {
    byte[] noise = new byte[750];
    RANDOM.nextBytes(noise);
    return ("m" + i + "|" + Base64.getEncoder().encodeToString(noise)).getBytes(StandardCharsets.UTF_8);
  }

  static String name(byte[] payload) {
    String s = new String(payload, StandardCharsets.UTF_8);
    return s.substring(0, s.indexOf('|'));
  }

  static Mqtt5BlockingClient v5(TestGateway gw, String id) {
    return Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
  }

  /** A persistent QoS 1 subscriber to store/#, left offline: every QoS 1/2 publish there is stored. */
  static void offlineSubscriber(TestGateway gw) {
    var sub = v5(gw, "store-sub");
    sub.connectWith().sessionExpiryInterval(3600).send();
    sub.subscribeWith().topicFilter("store/#").qos(MqttQos.AT_LEAST_ONCE).send();
    sub.disconnect();
  }

  /** The stored subscriber comes back: exactly {@code expected} arrive, in order. */
  static void resumeAndExpect(TestGateway gw, List<String> expected) throws Exception {
    var sub = v5(gw, "store-sub");
    try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
      sub.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
      List<String> got = new ArrayList<>();
      while (got.size() < expected.size()) {
        var p = publishes.receive(20, TimeUnit.SECONDS);
        assertThat(p).as("message %d of %d", got.size(), expected.size()).isPresent();
        got.add(name(p.get().getPayloadAsBytes()));
      }
      assertThat(got).containsExactlyElementsOf(expected);
      assertThat(publishes.receive(500, TimeUnit.MILLISECONDS)).as("nothing refused arrives").isEmpty();
    }
    sub.disconnect();
  }

  @Test
  void over_max_bytes_stored_publishes_and_new_persistent_sessions_are_refused_with_0x97_while_qos0_and_clean_sessions_go_on()
      throws Exception {
    try (TestGateway gw = TestGateway.builder().persistence(dir).config("persistence.max_bytes = 100KiB").start()) {
      offlineSubscriber(gw);
      var live = v5(gw, "live-sub");
      live.connect();
      live.subscribeWith().topicFilter("live/#").qos(MqttQos.AT_MOST_ONCE).send();
      var pub = v5(gw, "store-pub");
      pub.connect();

      List<String> acked = new ArrayList<>();
      Mqtt5PubAckException first = null;
      for (int i = 0; i < 1000 && first == null; i++) {
        byte[] p = payload(i);
        try {
          pub.publishWith().topic("store/t").qos(MqttQos.AT_LEAST_ONCE).payload(p).send();
          acked.add(name(p));
        } catch (Mqtt5PubAckException e) {
          first = e;
        }
      }
      assertThat(first).as("the cap is reached").isNotNull();
      assertThat(first.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
      assertThat(acked.size()).as("~1 KB each into 100 KB").isBetween(40, 100);
      for (int i = 0; i < 5; i++) {
        var e = catchThrowableOfType(() -> pub.publishWith().topic("store/t").qos(MqttQos.AT_LEAST_ONCE)
            .payload(payload(5000)).send(), Mqtt5PubAckException.class);
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
      }
      var rec = catchThrowableOfType(() -> pub.publishWith().topic("store/t").qos(MqttQos.EXACTLY_ONCE)
          .payload(payload(6000)).send(), Mqtt5PubRecException.class);
      assertThat(rec.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubRecReasonCode.QUOTA_EXCEEDED);
      assertThat(gw.storeRefused("max_bytes", "publish")).isEqualTo(7);
      assertThat(gw.storeRefusal()).isEqualTo("max_bytes");

      // QoS 0 keeps flowing; a QoS 1 publish nobody persistent stores is accepted; a QoS 0 retain is not kept
      try (var got = live.publishes(MqttGlobalPublishFilter.ALL)) {
        live.subscribeWith().topicFilter("sync/flow").send(); // a round trip: HiveMQ registers the flow asynchronously
        pub.publishWith().topic("live/a").qos(MqttQos.AT_MOST_ONCE).payload("q0".getBytes()).send();
        pub.publishWith().topic("live/b").qos(MqttQos.AT_LEAST_ONCE).payload("q1".getBytes()).send();
        pub.publishWith().topic("live/r").qos(MqttQos.AT_MOST_ONCE).retain(true).payload("kept?".getBytes()).send();
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          topics.add(got.receive(10, TimeUnit.SECONDS).orElseThrow().getTopic().toString());
        }
        assertThat(topics).containsExactly("live/a", "live/b", "live/r");
      }
      assertThat(gw.storeRefused("max_bytes", "retained")).isEqualTo(1);
      assertThat(gw.broker().retained("live/r")).as("not retained: it would have been stored").isNull();

      // a new persistent session is refused (MQTT 5 0x97, 3.1.1 0x03); clean ones connect
      var e5 = catchThrowableOfType(() -> v5(gw, "new-persistent").connectWith().sessionExpiryInterval(3600).send(),
          Mqtt5ConnAckException.class);
      assertThat(e5.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.QUOTA_EXCEEDED);
      var c3 = Mqtt3Client.builder().identifier("new-persistent-3").serverHost("127.0.0.1").serverPort(gw.mqttPort())
          .buildBlocking();
      var e3 = catchThrowableOfType(() -> c3.connectWith().cleanSession(false).send(), Mqtt3ConnAckException.class);
      assertThat(e3.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.SERVER_UNAVAILABLE);
      assertThat(gw.storeRefused("max_bytes", "session")).isEqualTo(2);
      var clean5 = v5(gw, "clean-5");
      clean5.connect();
      clean5.disconnect();
      var clean3 = Mqtt3Client.builder().identifier("clean-3").serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
      clean3.connectWith().cleanSession(true).send();

      // MQTT 3.1.1 has no PUBACK code: the refused publish is not acknowledged, the connection closes
      Throwable closed = catchThrowable(() -> clean3.publishWith().topic("store/t").qos(MqttQos.AT_LEAST_ONCE)
          .payload(payload(7000)).send());
      // a clean 3.1.1 session: HiveMQ fails the publish as "session expired as connection was closed", no PUBACK
      assertThat(closed).isInstanceOf(MqttSessionExpiredException.class).hasMessageContaining("connection was closed");
      assertThat(clean3.getState().isConnected()).isFalse();
      assertThat(gw.storeRefused("max_bytes", "publish")).isEqualTo(8);
      pub.disconnect();
      live.disconnect();

      // the stored session resumes (no new room needed) and gets every acknowledged message, nothing else
      resumeAndExpect(gw, acked);
    }
  }

  @Test
  void a_failing_disk_answers_qos1_with_0x97_keeps_qos0_flowing_and_admits_again_once_healed() throws Exception {
    try (TestGateway gw = TestGateway.builder().persistence(dir).start()) {
      offlineSubscriber(gw);
      var live = v5(gw, "live-sub");
      live.connect();
      live.subscribeWith().topicFilter("live/#").qos(MqttQos.AT_MOST_ONCE).send();
      var pub = v5(gw, "store-pub");
      pub.connect();
      pub.publishWith().topic("store/t").qos(MqttQos.AT_LEAST_ONCE).payload(payload(0)).send();

      gw.injectStoreWriteFailure("IO error: No space left on device");
      // the first publish is admitted and its write fails: 0x97 all the same (its copy may still arrive);
      // from then on the store refuses before routing
      for (int i = 1; i <= 4; i++) {
        int n = i;
        var e = catchThrowableOfType(() -> pub.publishWith().topic("store/t").qos(MqttQos.AT_LEAST_ONCE)
            .payload(payload(n)).send(), Mqtt5PubAckException.class);
        assertThat(e).as("publish %d", i).isNotNull();
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
      }
      assertThat(gw.storeRefused("write_error", "publish")).isEqualTo(4);
      assertThat(gw.storeRefusal()).isEqualTo("write_error");
      try (var got = live.publishes(MqttGlobalPublishFilter.ALL)) {
        live.subscribeWith().topicFilter("sync/flow").send(); // a round trip: HiveMQ registers the flow asynchronously
        pub.publishWith().topic("live/a").qos(MqttQos.AT_MOST_ONCE).payload("q0".getBytes()).send();
        assertThat(got.receive(10, TimeUnit.SECONDS).orElseThrow().getTopic().toString()).isEqualTo("live/a");
      }
      var e5 = catchThrowableOfType(() -> v5(gw, "new-persistent").connectWith().sessionExpiryInterval(3600).send(),
          Mqtt5ConnAckException.class);
      assertThat(e5.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.QUOTA_EXCEEDED);
      assertThat(gw.storeRefused("write_error", "session")).isEqualTo(1);

      gw.injectStoreWriteFailure(null); // space freed: the store's probe write succeeds within a second
      await().atMost(Duration.ofSeconds(10)).until(() -> gw.storeRefusal() == null);
      pub.publishWith().topic("store/t").qos(MqttQos.AT_LEAST_ONCE).payload(payload(5)).send();
      pub.disconnect();
      live.disconnect();
      // m1 was routed before its write failed: it is in the queue (at least once); m2..m4 never were
      resumeAndExpect(gw, List.of("m0", "m1", "m5"));
    }
  }
}
