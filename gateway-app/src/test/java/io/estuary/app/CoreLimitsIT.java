package io.estuary.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.estuary.testkit.TestGateway;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The broker core's caps of issue #13 as an MQTT client meets them: {@code mqtt.max_sessions}, {@code
 * mqtt.max_topic_length} and {@code mqtt.max_topic_levels} on subscribe, the retainer's caps, and the heap every
 * session's queue holds together ({@code mqtt.max_mqueue_total_bytes}).
 */
@Timeout(60)
class CoreLimitsIT {

  private static Mqtt5BlockingClient v5(TestGateway gw, String id) {
    return Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
  }

  private static Mqtt3BlockingClient v3(TestGateway gw, String id) {
    return Mqtt3Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
  }

  private static long count(TestGateway gw, String name, String... tags) {
    return (long) gw.metrics().counter(name, tags).count();
  }

  @Test
  void a_new_session_beyond_max_sessions_is_refused_with_quota_exceeded_while_a_resume_is_not_and_a_freed_slot_takes_it()
      throws Exception {
    try (TestGateway gw = TestGateway.builder().config("mqtt.max_sessions = 2").start()) {
      Mqtt5BlockingClient first = v5(gw, "cap-1");
      Mqtt5BlockingClient second = v5(gw, "cap-2");
      first.connect();
      second.connect();

      var refused5 = catchThrowableOfType(() -> v5(gw, "cap-3").connect(), Mqtt5ConnAckException.class);
      assertThat(refused5.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.QUOTA_EXCEEDED); // 0x97
      var refused3 = catchThrowableOfType(() -> v3(gw, "cap-4").connect(), Mqtt3ConnAckException.class);
      assertThat(refused3.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.SERVER_UNAVAILABLE); // 0x03
      assertThat(count(gw, "sessions.refused", "reason", "quota_exceeded")).isEqualTo(2);
      assertThat(gw.broker().sessionCount()).isEqualTo(2);

      // a client taking over its own session (a resume) is not a new session: never refused
      Mqtt5BlockingClient again = v5(gw, "cap-1");
      again.connectWith().cleanStart(false).send();
      assertThat(gw.session("cap-1").state()).isEqualTo("connected");

      second.disconnect(); // session expiry 0: the session leaves, its slot frees
      await("a freed slot takes a new session").atMost(Duration.ofSeconds(10)).ignoreExceptions()
          .untilAsserted(() -> v5(gw, "cap-3").connect());
      assertThat(gw.session("cap-3").state()).isEqualTo("connected");
      assertThat(count(gw, "sessions.refused", "reason", "quota_exceeded")).isGreaterThanOrEqualTo(2);
      again.disconnect();
    }
  }

  @Test
  void a_topic_longer_than_max_topic_length_is_refused_in_puback_and_suback_and_a_too_deep_filter_in_suback()
      throws Exception {
    try (TestGateway gw = TestGateway.builder().config("mqtt.max_topic_length = 16\nmqtt.max_topic_levels = 3").start()) {
      Mqtt5BlockingClient c = v5(gw, "len-1");
      c.connect();
      String tooLong = "a/bcdefghijklmnop"; // 17 bytes
      var pub = catchThrowableOfType(() -> c.publishWith().topic(tooLong).qos(MqttQos.AT_LEAST_ONCE)
          .payload("x".getBytes(StandardCharsets.UTF_8)).send(), Mqtt5PubAckException.class);
      assertThat(pub.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.TOPIC_NAME_INVALID); // 0x90
      // 16 bytes: two 2-byte characters count 4 bytes, not 2 chars
      var utf8 = catchThrowableOfType(() -> c.publishWith().topic("é/ü/abcdefghijk").qos(MqttQos.AT_LEAST_ONCE)
          .payload("x".getBytes(StandardCharsets.UTF_8)).send(), Mqtt5PubAckException.class);
      assertThat(utf8.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.TOPIC_NAME_INVALID);
      c.publishWith().topic("a/bcdefghijklmno").qos(MqttQos.AT_LEAST_ONCE).payload("x".getBytes(StandardCharsets.UTF_8)).send();

      var subLong = catchThrowableOfType(() -> c.subscribeWith().topicFilter("a/bcdefghijklmn/#").send(),
          Mqtt5SubAckException.class);
      assertThat(subLong.getMqttMessage().getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.TOPIC_FILTER_INVALID); // 0x8F
      var subDeep = catchThrowableOfType(() -> c.subscribeWith().topicFilter("a/+/c/#").send(), Mqtt5SubAckException.class);
      assertThat(subDeep.getMqttMessage().getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.TOPIC_FILTER_INVALID);
      c.subscribeWith().topicFilter("a/+/#").send();

      assertThat(count(gw, "topics.refused", "action", "publish", "reason", "too_long")).isEqualTo(2);
      assertThat(count(gw, "topics.refused", "action", "subscribe", "reason", "too_long")).isEqualTo(1);
      assertThat(count(gw, "topics.refused", "action", "subscribe", "reason", "too_deep")).isEqualTo(1);
      c.disconnect();
    }
  }

  @Test
  void over_the_retainer_caps_a_new_topic_is_routed_but_not_retained_while_a_retained_topic_is_still_replaced()
      throws Exception {
    try (TestGateway gw = TestGateway.builder()
        .config("retainer.max_retained_messages = 2\nretainer.max_payload_size = 8B").start()) {
      Mqtt5BlockingClient live = v5(gw, "ret-live");
      live.connect();
      live.subscribeWith().topicFilter("r/#").qos(MqttQos.AT_LEAST_ONCE).send();
      Mqtt5BlockingClient pub = v5(gw, "ret-pub");
      pub.connect();
      try (var routed = live.publishes(MqttGlobalPublishFilter.ALL)) {
        for (String[] p : new String[][] {{"r/1", "one"}, {"r/2", "two"}, {"r/3", "three"}, {"r/1", "uno"},
            {"r/2", "too-large!"}}) {
          pub.publishWith().topic(p[0]).qos(MqttQos.AT_LEAST_ONCE).retain(true)
              .payload(p[1].getBytes(StandardCharsets.UTF_8)).send();
          var m = routed.receive(10, TimeUnit.SECONDS).orElseThrow();
          assertThat(new String(m.getPayloadAsBytes(), StandardCharsets.UTF_8)).as("routed").isEqualTo(p[1]);
        }
      }
      assertThat(count(gw, "retained.refused", "reason", "quota_exceeded")).isEqualTo(1);
      assertThat(count(gw, "retained.refused", "reason", "too_large")).isEqualTo(1);
      assertThat(gw.broker().retainedCount()).isEqualTo(2);

      Mqtt5BlockingClient late = v5(gw, "ret-late");
      late.connect();
      Map<String, String> retained = new HashMap<>();
      try (var got = late.publishes(MqttGlobalPublishFilter.ALL)) {
        late.subscribeWith().topicFilter("r/+").qos(MqttQos.AT_LEAST_ONCE).send();
        for (int i = 0; i < 2; i++) {
          var m = got.receive(10, TimeUnit.SECONDS).orElseThrow();
          assertThat(m.isRetain()).isTrue();
          retained.put(m.getTopic().toString(), new String(m.getPayloadAsBytes(), StandardCharsets.UTF_8));
        }
        assertThat(got.receive(300, TimeUnit.MILLISECONDS)).as("r/3 was not retained").isEmpty();
      }
      assertThat(retained).containsExactlyInAnyOrderEntriesOf(Map.of("r/1", "uno", "r/2", "two"));

      // deleting frees a place for a new topic
      pub.publishWith().topic("r/1").qos(MqttQos.AT_LEAST_ONCE).retain(true).send();
      pub.publishWith().topic("r/3").qos(MqttQos.AT_LEAST_ONCE).retain(true).payload("three".getBytes(StandardCharsets.UTF_8)).send();
      assertThat(gw.broker().retained("r/3")).isNotNull();
      assertThat(count(gw, "retained.refused", "reason", "quota_exceeded")).isEqualTo(1);
      live.disconnect();
      pub.disconnect();
      late.disconnect();
    }
  }

  @Test
  void over_max_retained_bytes_a_retained_publish_is_routed_but_not_retained_until_the_total_shrinks() throws Exception {
    try (TestGateway gw = TestGateway.builder().config("retainer.max_retained_bytes = 20B").start()) {
      Mqtt5BlockingClient pub = v5(gw, "bytes-pub");
      pub.connect();
      Mqtt5BlockingClient live = v5(gw, "bytes-live");
      live.connect();
      live.subscribeWith().topicFilter("b/#").qos(MqttQos.AT_LEAST_ONCE).send();
      try (var routed = live.publishes(MqttGlobalPublishFilter.ALL)) {
        // weights: payload + topic characters; 13, then 9 more would make 22 > 20, then 5 in place of 13, then 9
        for (String[] p : new String[][] {{"b/1", "0123456789"}, {"b/2", "abcdef"}, {"b/1", "xy"}, {"b/2", "abcdef"}}) {
          pub.publishWith().topic(p[0]).qos(MqttQos.AT_LEAST_ONCE).retain(true)
              .payload(p[1].getBytes(StandardCharsets.UTF_8)).send();
          var m = routed.receive(10, TimeUnit.SECONDS).orElseThrow();
          assertThat(new String(m.getPayloadAsBytes(), StandardCharsets.UTF_8)).as("routed").isEqualTo(p[1]);
        }
      }
      assertThat(count(gw, "retained.refused", "reason", "bytes_exceeded")).isEqualTo(1);
      assertThat(new String(gw.broker().retained("b/1").payload().toByteArray(), StandardCharsets.UTF_8)).isEqualTo("xy");
      assertThat(new String(gw.broker().retained("b/2").payload().toByteArray(), StandardCharsets.UTF_8)).isEqualTo("abcdef");
      live.disconnect();
      pub.disconnect();
    }
  }

  /** The broker's figure of what every session's queue holds ({@code estuary.mqueue.total_bytes}). */
  private static long queuedTotal(TestGateway gw) {
    return (long) gw.gateway().metrics().registry().find("estuary.mqueue.total_bytes").gauge().value();
  }

  /** A persistent session subscribed to {@code filters} at QoS 1, then offline. */
  private static void parkOffline(TestGateway gw, String id, String... filters) {
    Mqtt5BlockingClient c = v5(gw, id);
    c.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
    for (String f : filters) {
      c.subscribeWith().topicFilter(f).qos(MqttQos.AT_LEAST_ONCE).send();
    }
    c.disconnect();
  }

  /** Resumes {@code id}'s session and returns the payloads it is sent, until {@code n} arrived. */
  private static List<String> resume(TestGateway gw, String id, int n) throws Exception {
    Mqtt5BlockingClient c = v5(gw, id);
    List<String> got = new ArrayList<>();
    try (var in = c.publishes(MqttGlobalPublishFilter.ALL)) {
      c.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
      while (got.size() < n) {
        var m = in.receive(10, TimeUnit.SECONDS).orElseThrow(() -> new AssertionError(id + " got only " + got));
        String p = new String(m.getPayloadAsBytes(), StandardCharsets.UTF_8);
        got.add(p.length() > 8 ? p.substring(0, 8) : p);
      }
      c.disconnect();
    }
    return got;
  }

  private static String payload(String tag, int length) {
    return (tag + "-".repeat(length)).substring(0, length);
  }

  @Test
  void over_max_mqueue_total_bytes_a_queue_takes_no_new_message_and_one_publish_queued_for_two_holds_its_payload_once()
      throws Exception {
    // a queued copy holds 96 bytes, and its publish 160 + payload + topic, once while any copy is queued
    try (TestGateway gw = TestGateway.builder().config("mqtt.max_mqueue_total_bytes = 3500B")
        .config("mqtt.mqueue_overflow = drop_newest").start()) {
      parkOffline(gw, "tot-a", "f/#");
      parkOffline(gw, "tot-b", "f/#", "t/b");
      Mqtt5BlockingClient pub = v5(gw, "tot-pub");
      pub.connect();
      pub.publishWith().topic("f/x").qos(MqttQos.AT_LEAST_ONCE).payload(payload("fan", 1997).getBytes()).send();
      // one publish (160 + 2000) and two entries (2 × 96): were each copy charged its publish, the second would not fit
      await().atMost(Duration.ofSeconds(10)).until(() -> queuedTotal(gw) == 2352);
      for (int i = 1; i <= 4; i++) { // 96 + 160 + 97 + 3 = 356 each: three fit (3420), the fourth would make 3776
        pub.publishWith().topic("t/b").qos(MqttQos.AT_LEAST_ONCE).payload(payload("b" + i, 97).getBytes()).send();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> count(gw, "messages.dropped", "reason", "queue_total_full") == 1);
      assertThat(queuedTotal(gw)).isEqualTo(3420);
      assertThat(count(gw, "messages.dropped", "reason", "queue_full")).isZero();

      assertThat(resume(gw, "tot-b", 4)).containsExactly("fan-----", "b1------", "b2------", "b3------");
      // tot-a's copy still holds the whole publish
      await("tot-b's messages leave the total").atMost(Duration.ofSeconds(10)).until(() -> queuedTotal(gw) == 2256);
      assertThat(resume(gw, "tot-a", 1)).containsExactly("fan-----");
      await().atMost(Duration.ofSeconds(10)).until(() -> queuedTotal(gw) == 0);
      pub.disconnect();
    }
  }

  @Test
  void over_max_mqueue_total_bytes_drop_oldest_makes_room_in_the_session_s_own_queue_and_an_empty_one_drops_the_new()
      throws Exception {
    try (TestGateway gw = TestGateway.builder().config("mqtt.max_mqueue_total_bytes = 1500B").start()) {
      parkOffline(gw, "old-c", "t/c");
      parkOffline(gw, "old-d", "t/d");
      Mqtt5BlockingClient pub = v5(gw, "old-pub");
      pub.connect();
      for (int i = 1; i <= 6; i++) { // 356 each: four fit (1424); the fifth and sixth each push out c's oldest
        pub.publishWith().topic("t/c").qos(MqttQos.AT_LEAST_ONCE).payload(payload("c" + i, 97).getBytes()).send();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> count(gw, "messages.dropped", "reason", "queue_total_full") == 2);
      assertThat(queuedTotal(gw)).isEqualTo(1424);
      // d has nothing queued to make room with: its new message is the one dropped
      pub.publishWith().topic("t/d").qos(MqttQos.AT_LEAST_ONCE).payload(payload("d1", 97).getBytes()).send();
      await().atMost(Duration.ofSeconds(10)).until(() -> count(gw, "messages.dropped", "reason", "queue_total_full") == 3);
      assertThat(queuedTotal(gw)).isEqualTo(1424);
      // one too large for all of c's queue to make room (2259 > 1500 - 1424 + 1424): only it is dropped
      pub.publishWith().topic("t/c").qos(MqttQos.AT_LEAST_ONCE).payload(payload("big", 2000).getBytes()).send();
      await().atMost(Duration.ofSeconds(10)).until(() -> count(gw, "messages.dropped", "reason", "queue_total_full") == 4);
      assertThat(queuedTotal(gw)).isEqualTo(1424);

      assertThat(resume(gw, "old-c", 4)).containsExactly("c3------", "c4------", "c5------", "c6------");
      await().atMost(Duration.ofSeconds(10)).until(() -> queuedTotal(gw) == 0);
      pub.publishWith().topic("t/d").qos(MqttQos.AT_LEAST_ONCE).payload(payload("d2", 97).getBytes()).send();
      assertThat(resume(gw, "old-d", 1)).containsExactly("d2------");
      pub.disconnect();
    }
  }

  @Test
  void messages_in_flight_hold_their_place_in_max_mqueue_total_bytes_until_acknowledged() throws Exception {
    try (TestGateway gw = TestGateway.builder().config("mqtt.max_mqueue_total_bytes = 1500B").start()) {
      Mqtt5BlockingClient sub = v5(gw, "fly-sub");
      sub.connect();
      sub.subscribeWith().topicFilter("t/f").qos(MqttQos.AT_LEAST_ONCE).send();
      Mqtt5BlockingClient pub = v5(gw, "fly-pub");
      pub.connect();
      try (var in = sub.publishes(MqttGlobalPublishFilter.ALL, true)) { // acknowledged by hand
        List<com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish> held = new ArrayList<>();
        for (int i = 1; i <= 4; i++) { // 356 each: sent at once, and not acknowledged
          pub.publishWith().topic("t/f").qos(MqttQos.AT_LEAST_ONCE).payload(payload("f" + i, 97).getBytes()).send();
          held.add(in.receive(10, TimeUnit.SECONDS).orElseThrow());
        }
        assertThat(queuedTotal(gw)).as("in flight, still held").isEqualTo(1424);
        pub.publishWith().topic("t/f").qos(MqttQos.AT_LEAST_ONCE).payload(payload("f5", 97).getBytes()).send();
        await().atMost(Duration.ofSeconds(10)).until(() -> count(gw, "messages.dropped", "reason", "queue_total_full") == 1);
        held.forEach(com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish::acknowledge);
        await("acknowledged: given back").atMost(Duration.ofSeconds(10)).until(() -> queuedTotal(gw) == 0);
        pub.publishWith().topic("t/f").qos(MqttQos.AT_LEAST_ONCE).payload(payload("f6", 97).getBytes()).send();
        var next = in.receive(10, TimeUnit.SECONDS).orElseThrow();
        assertThat(new String(next.getPayloadAsBytes(), StandardCharsets.UTF_8)).startsWith("f6");
        next.acknowledge();
      }
      sub.disconnect();
      pub.disconnect();
    }
  }

  @Test
  void over_max_mqueue_total_bytes_a_backpressure_queue_holds_the_publisher_until_its_subscriber_drains_it()
      throws Exception {
    try (TestGateway gw = TestGateway.builder().config("mqtt.max_mqueue_total_bytes = 1500B")
        .config("mqtt.mqueue_overflow = backpressure").start()) {
      parkOffline(gw, "bp-sub", "t/p");
      var pub = com.hivemq.client.mqtt.mqtt5.Mqtt5Client.builder().identifier("bp-pub").serverHost("127.0.0.1")
          .serverPort(gw.mqttPort()).buildAsync();
      pub.connect().get(10, TimeUnit.SECONDS);
      List<java.util.concurrent.CompletableFuture<?>> acks = new ArrayList<>();
      for (int i = 1; i <= 5; i++) { // 356 each: four fit (1424), the fifth is queued beyond and its publisher waits
        acks.add(pub.publishWith().topic("t/p").qos(MqttQos.AT_LEAST_ONCE).payload(payload("p" + i, 97).getBytes())
            .send());
        if (i < 5) {
          acks.get(i - 1).get(10, TimeUnit.SECONDS);
        }
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> queuedTotal(gw) == 1780);
      // a round trip on the publisher's connection after the fifth: a PUBACK written before it would be here first
      pub.subscribeWith().topicFilter("bp/barrier").send().get(10, TimeUnit.SECONDS);
      assertThat(acks.get(4)).as("held while every queue together is over the budget").isNotDone();
      assertThat(count(gw, "messages.dropped", "reason", "queue_total_full")).isZero();

      assertThat(resume(gw, "bp-sub", 5)).containsExactly("p1------", "p2------", "p3------", "p4------", "p5------");
      acks.get(4).get(10, TimeUnit.SECONDS); // answered once its subscriber drained the queue
      await().atMost(Duration.ofSeconds(10)).until(() -> queuedTotal(gw) == 0);
      pub.disconnect().get(10, TimeUnit.SECONDS);
    }
  }
}
