package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import io.estuary.testkit.RawMqttClient;
import io.estuary.testkit.TestGateway;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MqttFeaturesIT {
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().config("sys_topics.sys_msg_interval = 1s").start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static Mqtt5BlockingClient v5(TestGateway g, String id) {
    var c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(g.mqttPort()).buildBlocking();
    c.connect();
    return c;
  }

  static Mqtt3BlockingClient v3(TestGateway g, String id) {
    var c = Mqtt3Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(g.mqttPort()).buildBlocking();
    c.connect();
    return c;
  }

  @Test
  void shared_subscription_spreads_messages_over_members_v5_and_v311() throws Exception {
    var a = v5(gw, "share-a");
    var b = v3(gw, "share-b");
    var pub = v5(gw, "share-pub");
    try (var pa = a.publishes(MqttGlobalPublishFilter.ALL); var pb = b.publishes(MqttGlobalPublishFilter.ALL)) {
      a.subscribeWith().topicFilter("$share/g1/jobs/+").qos(MqttQos.AT_LEAST_ONCE).send();
      b.subscribeWith().topicFilter("$share/g1/jobs/+").qos(MqttQos.AT_LEAST_ONCE).send();
      for (int i = 0; i < 10; i++) {
        pub.publishWith().topic("jobs/" + i).qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {(byte) i}).send();
      }
      Set<Integer> seen = new HashSet<>();
      int fromA = 0;
      int fromB = 0;
      while (seen.size() < 10) {
        Optional<Mqtt5Publish> m = pa.receive(100, TimeUnit.MILLISECONDS);
        if (m.isPresent()) {
          assertThat(seen.add((int) m.get().getPayloadAsBytes()[0])).isTrue();
          fromA++;
        }
        var n = pb.receive(100, TimeUnit.MILLISECONDS);
        if (n.isPresent()) {
          assertThat(seen.add((int) n.get().getPayloadAsBytes()[0])).isTrue();
          fromB++;
        }
      }
      assertThat(fromA).isPositive();
      assertThat(fromB).isPositive();
    }
    a.disconnect();
    b.disconnect();
    pub.disconnect();
  }

  @Test
  void no_local_suppresses_own_messages() throws Exception {
    var c = v5(gw, "nolocal");
    try (var p = c.publishes(MqttGlobalPublishFilter.ALL)) {
      c.subscribeWith().topicFilter("nl/t").noLocal(true).send();
      c.publishWith().topic("nl/t").payload("mine".getBytes()).send();
      var other = v5(gw, "nolocal-other");
      other.publishWith().topic("nl/t").payload("theirs".getBytes()).send();
      assertThat(new String(p.receive(5, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes())).isEqualTo("theirs");
      other.disconnect();
    }
    c.disconnect();
  }

  @Test
  void retain_as_published_and_retain_handling() throws Exception {
    var pub = v5(gw, "rap-pub");
    pub.publishWith().topic("rap/t").retain(true).payload("old".getBytes()).send();
    var c = v5(gw, "rap");
    try (var p = c.publishes(MqttGlobalPublishFilter.ALL)) {
      // retain handling 2: no retained message on subscribe
      c.subscribeWith().topicFilter("rap/t").retainHandling(Mqtt5RetainHandling.DO_NOT_SEND).retainAsPublished(true).send();
      pub.publishWith().topic("rap/t").retain(true).payload("live".getBytes()).send();
      var got = p.receive(5, TimeUnit.SECONDS).orElseThrow();
      assertThat(new String(got.getPayloadAsBytes())).isEqualTo("live");
      assertThat(got.isRetain()).isTrue(); // retain-as-published keeps the flag on a live message
    }
    c.disconnect();
    pub.publishWith().topic("rap/t").retain(true).payload(new byte[0]).send();
    pub.disconnect();
  }

  @Test
  void properties_are_forwarded_untouched_with_subscription_identifier() throws Exception {
    var c = v5(gw, "props-sub");
    var pub = v5(gw, "props-pub");
    try (var p = c.publishes(MqttGlobalPublishFilter.ALL)) {
      c.subscribeWith().topicFilter("props/#").send();
      pub.publishWith().topic("props/req").payload("{}".getBytes()).contentType("application/json")
          .responseTopic("props/reply").correlationData("corr-1".getBytes()).messageExpiryInterval(60)
          .payloadFormatIndicator(com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator.UTF_8)
          .userProperties(Mqtt5UserProperties.builder().add("k", "v1").add("k", "v2").build()).send();
      var got = p.receive(5, TimeUnit.SECONDS).orElseThrow();
      assertThat(got.getContentType()).hasValueSatisfying(t -> assertThat(t.toString()).isEqualTo("application/json"));
      assertThat(got.getResponseTopic()).hasValueSatisfying(t -> assertThat(t.toString()).isEqualTo("props/reply"));
      assertThat(got.getCorrelationData()).hasValueSatisfying(b -> assertThat(bytes(b)).isEqualTo("corr-1".getBytes()));
      assertThat(got.getMessageExpiryInterval().getAsLong()).isBetween(58L, 60L);
      assertThat(got.getUserProperties().asList()).hasSize(2);
      assertThat(got.getUserProperties().asList().get(1).getValue().toString()).isEqualTo("v2");
      assertThat(got.getPayloadFormatIndicator()).isPresent();
    }
    c.disconnect();
    pub.disconnect();
  }

  @Test
  void user_properties_alone_reach_the_subscriber_in_order() throws Exception {
    var c = v5(gw, "uprops-sub");
    var pub = v5(gw, "uprops-pub");
    try (var p = c.publishes(MqttGlobalPublishFilter.ALL)) {
      c.subscribeWith().topicFilter("uprops/#").qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE).send();
      pub.publishWith().topic("uprops/t").qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE).payload("p".getBytes())
          .userProperties(Mqtt5UserProperties.builder().add("k", "v").add("k2", "v2").add("k", "v3").build()).send();
      var got = p.receive(5, TimeUnit.SECONDS).orElseThrow();
      assertThat(got.getUserProperties().asList()).extracting(u -> u.getName() + ":" + u.getValue())
          .containsExactly("k:v", "k2:v2", "k:v3");
      assertThat(got.getContentType()).isEmpty();
    }
    c.disconnect();
    pub.disconnect();
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  @Test
  void inbound_topic_alias_is_resolved() throws Exception {
    var c = v5(gw, "alias-sub");
    try (var p = c.publishes(MqttGlobalPublishFilter.ALL); RawMqttClient raw = new RawMqttClient(gw.mqttPort())) {
      c.subscribeWith().topicFilter("alias/t").send();
      raw.connect("alias-pub", 5, true, 60);
      MqttProperties withAlias = new MqttProperties();
      withAlias.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.TOPIC_ALIAS.value(), 3));
      raw.send(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_MOST_ONCE, false, 0),
          new MqttPublishVariableHeader("alias/t", -1, withAlias), Unpooled.wrappedBuffer("1".getBytes())));
      raw.send(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_MOST_ONCE, false, 0),
          new MqttPublishVariableHeader("", -1, withAlias), Unpooled.wrappedBuffer("2".getBytes())));
      assertThat(new String(p.receive(5, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes())).isEqualTo("1");
      var second = p.receive(5, TimeUnit.SECONDS).orElseThrow();
      assertThat(second.getTopic().toString()).isEqualTo("alias/t");
      assertThat(new String(second.getPayloadAsBytes())).isEqualTo("2");
    }
    c.disconnect();
  }

  @Test
  void outbound_topic_alias_is_used_when_the_client_allows_it() throws Exception {
    MqttProperties props = new MqttProperties();
    props.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.TOPIC_ALIAS_MAXIMUM.value(), 5));
    var pub = v5(gw, "oalias-pub");
    try (RawMqttClient raw = new RawMqttClient(gw.mqttPort())) {
      raw.connect("oalias-sub", 5, true, 60, props);
      raw.send(io.netty.handler.codec.mqtt.MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_MOST_ONCE, "oalias/t").build());
      assertThat(raw.await(MqttMessageType.SUBACK, Duration.ofSeconds(5))).isNotNull();
      pub.publishWith().topic("oalias/t").payload("a".getBytes()).send();
      pub.publishWith().topic("oalias/t").payload("b".getBytes()).send();
      MqttPublishMessage first = (MqttPublishMessage) raw.await(MqttMessageType.PUBLISH, Duration.ofSeconds(5));
      MqttPublishMessage second = (MqttPublishMessage) raw.await(MqttMessageType.PUBLISH, Duration.ofSeconds(5));
      assertThat(first.variableHeader().topicName()).isEqualTo("oalias/t");
      assertThat(second.variableHeader().topicName()).isEmpty();
      assertThat(second.variableHeader().properties().getProperty(MqttProperties.MqttPropertyType.TOPIC_ALIAS.value()).value()).isEqualTo(1);
      first.release();
      second.release();
    }
    pub.disconnect();
  }

  @Test
  void sys_topics_are_published_and_not_matched_by_a_leading_wildcard() throws Exception {
    var c = v5(gw, "sys-watcher");
    try (var p = c.publishes(MqttGlobalPublishFilter.ALL)) {
      c.subscribeWith().topicFilter("#").send();
      c.subscribeWith().topicFilter("$SYS/brokers/+/version").send();
      var got = p.receive(5, TimeUnit.SECONDS).orElseThrow();
      assertThat(got.getTopic().toString()).isEqualTo("$SYS/brokers/estuary-test@127.0.0.1/version");
      assertThat(p.receive(1500, TimeUnit.MILLISECONDS)).hasValueSatisfying(m -> assertThat(m.getTopic().toString()).endsWith("/version"));
      c.unsubscribeWith().topicFilter("$SYS/brokers/+/version").send();
      c.subscribeWith().topicFilter("$SYS/brokers/+/metrics/bytes/received").send();
      var bytes = p.receive(5, TimeUnit.SECONDS).orElseThrow();
      assertThat(Long.parseLong(new String(bytes.getPayloadAsBytes()))).isPositive();
    }
    c.disconnect();
  }

  @Test
  void limits_from_config_are_answered_with_their_codes() throws Exception {
    try (TestGateway g = TestGateway.builder().config("""
        mqtt { max_qos_allowed = 1, wildcard_subscription = false, retain_available = false }
        """).start()) {
      var c = v5(g, "limited");
      var ack = org.assertj.core.api.Assertions.catchThrowableOfType(
          () -> c.subscribeWith().addSubscription().topicFilter("lim/a").qos(MqttQos.EXACTLY_ONCE).applySubscription()
              .addSubscription().topicFilter("lim/#").applySubscription().send(),
          com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException.class).getMqttMessage();
      assertThat(ack.getReasonCodes().get(0).getCode()).isEqualTo(1);
      assertThat(ack.getReasonCodes().get(1).getCode()).isEqualTo(0xA2);
      c.disconnect();
    }
  }

  @Test
  void listener_mountpoint_prefixes_topics() throws Exception {
    try (TestGateway g = TestGateway.builder().config("listeners.tcp.default.mountpoint = \"site1/\"").start()) {
      var c = v5(g, "mounted");
      try (var p = c.publishes(MqttGlobalPublishFilter.ALL)) {
        c.subscribeWith().topicFilter("m/#").send();
        c.publishWith().topic("m/x").payload("1".getBytes()).send();
        assertThat(p.receive(5, TimeUnit.SECONDS).orElseThrow().getTopic().toString()).isEqualTo("m/x");
      }
      assertThat(g.broker().sessionView("mounted").subscriptions()).isEqualTo(1);
      c.disconnect();
    }
  }
}
