package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.estuary.testkit.RawMqttClient;
import io.estuary.testkit.TestGateway;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MqttSessionIT {
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().config("mqtt.max_mqueue_len = 5").start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static Mqtt5BlockingClient v5(String id) {
    return Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
  }

  static void publish(String topic, int n, int qos) {
    var pub = v5("pub-" + topic.replace('/', '-'));
    pub.connect();
    for (int i = 0; i < n; i++) {
      pub.publishWith().topic(topic).qos(MqttQos.fromCode(qos)).payload(("m" + i).getBytes()).send();
    }
    pub.disconnect();
  }

  @Test
  void v5_persistent_session_queues_while_offline_and_delivers_in_order() throws Exception {
    var sub = v5("offline-v5");
    sub.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
    sub.subscribeWith().topicFilter("off/v5").qos(MqttQos.AT_LEAST_ONCE).send();
    sub.disconnect();
    publish("off/v5", 4, 1);
    await().until(() -> gw.broker().sessionView("offline-v5").queued() == 4);
    try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
      var ack = sub.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
      assertThat(ack.isSessionPresent()).isTrue();
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        got.add(new String(publishes.receive(5, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes()));
      }
      assertThat(got).containsExactly("m0", "m1", "m2", "m3");
    }
    sub.disconnect();
  }

  @Test
  void v311_clean_session_false_keeps_subscriptions_and_queue() throws Exception {
    var sub = Mqtt3Client.builder().identifier("offline-v3").serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    sub.connectWith().cleanSession(false).send();
    sub.subscribeWith().topicFilter("off/v3").qos(MqttQos.EXACTLY_ONCE).send();
    sub.disconnect();
    publish("off/v3", 3, 2);
    try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
      assertThat(sub.connectWith().cleanSession(false).send().isSessionPresent()).isTrue();
      for (int i = 0; i < 3; i++) {
        assertThat(new String(publishes.receive(5, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes())).isEqualTo("m" + i);
      }
    }
    sub.disconnect();
  }

  @Test
  void full_queue_drops_the_oldest_and_counts_it() throws Exception {
    var sub = v5("overflow");
    sub.connectWith().sessionExpiryInterval(60).send();
    sub.subscribeWith().topicFilter("over/flow").qos(MqttQos.AT_LEAST_ONCE).send();
    sub.disconnect();
    double before = gw.gateway().metrics().registry().get("estuary.messages.dropped").tag("reason", "queue_full").counter().count();
    publish("over/flow", 8, 1);
    await().until(() -> gw.gateway().metrics().registry().get("estuary.messages.dropped").tag("reason", "queue_full").counter().count() - before == 3);
    try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
      sub.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        got.add(new String(publishes.receive(5, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes()));
      }
      assertThat(got).containsExactly("m3", "m4", "m5", "m6", "m7");
    }
    sub.disconnect();
  }

  @Test
  void byte_cap_on_the_queue_drops_the_oldest_to_make_room() throws Exception {
    try (TestGateway g = TestGateway.builder().config("mqtt.max_mqueue_len = 100").config("mqtt.max_mqueue_bytes = 1000").start()) {
      var sub = Mqtt5Client.builder().identifier("bytes").serverHost("127.0.0.1").serverPort(g.mqttPort()).buildBlocking();
      sub.connectWith().sessionExpiryInterval(60).send();
      sub.subscribeWith().topicFilter("by/tes").qos(MqttQos.AT_LEAST_ONCE).send();
      sub.disconnect();
      var pub = Mqtt5Client.builder().identifier("bytes-pub").serverHost("127.0.0.1").serverPort(g.mqttPort()).buildBlocking();
      pub.connect();
      for (int i = 0; i < 20; i++) { // 6 bytes of topic + 94 of payload = 100 bytes each: 10 fit
        byte[] payload = new byte[94];
        payload[0] = (byte) i;
        pub.publishWith().topic("by/tes").qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
      }
      pub.disconnect();
      await().until(() -> g.broker().sessionView("bytes").queued() == 10);
      assertThat(g.gateway().metrics().registry().get("estuary.messages.dropped").tag("reason", "queue_full").counter().count())
          .isEqualTo(10.0);
      try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
        sub.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          got.add((int) publishes.receive(5, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes()[0]);
        }
        assertThat(got).containsExactly(10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
      }
      sub.disconnect();
    }
  }

  @Test
  void session_expires_after_its_interval() {
    var c = v5("short-lived");
    c.connectWith().sessionExpiryInterval(1).send();
    c.subscribeWith().topicFilter("x/y").send();
    c.disconnect();
    assertThat(gw.broker().sessionView("short-lived")).isNotNull();
    await().atMost(Duration.ofSeconds(5)).until(() -> gw.broker().sessionView("short-lived") == null);
  }

  @Test
  void clean_start_discards_the_old_session() {
    var c = v5("cleaner");
    c.connectWith().sessionExpiryInterval(60).send();
    c.subscribeWith().topicFilter("clean/me").send();
    c.disconnect();
    var ack = c.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
    assertThat(ack.isSessionPresent()).isFalse();
    assertThat(gw.broker().sessionView("cleaner").subscriptions()).isZero();
    c.disconnect();
  }

  @Test
  void take_over_sends_0x8E_to_the_old_v5_connection_and_resumes_the_session() throws Exception {
    CompletableFuture<Throwable> oldCause = new CompletableFuture<>();
    var first = Mqtt5Client.builder().identifier("twin").serverHost("127.0.0.1").serverPort(gw.mqttPort())
        .addDisconnectedListener(ctx -> oldCause.complete(ctx.getCause())).buildBlocking();
    first.connectWith().sessionExpiryInterval(60).send();
    first.subscribeWith().topicFilter("twin/t").qos(MqttQos.AT_LEAST_ONCE).send();
    var second = v5("twin");
    var ack = second.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
    assertThat(ack.isSessionPresent()).isTrue();
    Throwable cause = oldCause.get(5, TimeUnit.SECONDS);
    assertThat(cause).isInstanceOf(Mqtt5DisconnectException.class);
    assertThat(((Mqtt5DisconnectException) cause).getMqttMessage().getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
    try (var publishes = second.publishes(MqttGlobalPublishFilter.ALL)) {
      publish("twin/t", 1, 1);
      assertThat(publishes.receive(5, TimeUnit.SECONDS)).isPresent();
    }
    second.disconnect();
  }

  @Test
  void unacked_qos1_delivery_is_redelivered_with_dup_on_reconnect() throws Exception {
    MqttProperties expiry = new MqttProperties();
    expiry.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), 60));
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      c.connect("redeliver", 5, true, 60, expiry);
      c.send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_LEAST_ONCE, "re/deliver").build());
      assertThat(c.await(MqttMessageType.SUBACK, Duration.ofSeconds(5))).isNotNull();
      publish("re/deliver", 1, 1);
      MqttPublishMessage first = (MqttPublishMessage) c.await(MqttMessageType.PUBLISH, Duration.ofSeconds(5));
      assertThat(first.fixedHeader().isDup()).isFalse();
      first.release();
      // no PUBACK: drop the connection
    }
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      MqttConnAckMessage ack = (MqttConnAckMessage) c.connect("redeliver", 5, false, 60, expiry);
      assertThat(ack.variableHeader().isSessionPresent()).isTrue();
      MqttPublishMessage again = (MqttPublishMessage) c.await(MqttMessageType.PUBLISH, Duration.ofSeconds(5));
      assertThat(again.fixedHeader().isDup()).isTrue();
      assertThat(again.payload().toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("m0");
      int id = again.variableHeader().packetId();
      again.release();
      c.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0), MqttMessageIdVariableHeader.from(id)));
      await().until(() -> gw.broker().sessionView("redeliver").inflight() == 0);
    }
  }

  @Test
  void qos2_inbound_duplicate_is_routed_once() throws Exception {
    var sub = v5("dedup-sub");
    sub.connect();
    try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL); RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      sub.subscribeWith().topicFilter("dedup/t").qos(MqttQos.EXACTLY_ONCE).send();
      c.connect("dedup-pub", 4, true, 60);
      for (int i = 0; i < 2; i++) { // the same packet id twice, second with DUP, before PUBREL
        c.send(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, i == 1, MqttQoS.EXACTLY_ONCE, false, 0),
            new io.netty.handler.codec.mqtt.MqttPublishVariableHeader("dedup/t", 7, MqttProperties.NO_PROPERTIES),
            Unpooled.wrappedBuffer("once".getBytes())));
        assertThat(c.await(MqttMessageType.PUBREC, Duration.ofSeconds(5))).isNotNull();
      }
      c.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 0), MqttMessageIdVariableHeader.from(7)));
      assertThat(c.await(MqttMessageType.PUBCOMP, Duration.ofSeconds(5))).isNotNull();
      assertThat(publishes.receive(5, TimeUnit.SECONDS)).isPresent();
      assertThat(publishes.receive(500, TimeUnit.MILLISECONDS)).isEmpty();
    }
    sub.disconnect();
  }
}
