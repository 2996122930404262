package io.estuary.mqtt;

import static io.estuary.mqtt.MqttConformanceRawIT.assertClosedWith;
import static io.estuary.mqtt.MqttConformanceRawIT.assertRefusedConnect;
import static io.estuary.mqtt.MqttConformanceRawIT.bytes;
import static io.estuary.mqtt.MqttConformanceRawIT.connect;
import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.testkit.RawMqttClient;
import io.estuary.testkit.TestGateway;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.time.Duration;
import java.util.Deque;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MQTT 5.0 statements on ill-formed strings, wills a limited server cannot take, flow control, packet size and
 * redelivery, with hand-encoded packets (docs/mqtt.md, section "Conformance"). Each test names the statement ids it covers.
 */
@Timeout(60)
class MqttConformanceStringsIT {
  /** 'a', then 0xC3 0x28: an ill-formed two-byte sequence. */
  static final byte[] ILL_FORMED = {'a', (byte) 0xC3, 0x28};
  static TestGateway gw;
  static TestGateway limited;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().start();
    limited = TestGateway.builder().config("mqtt { max_qos_allowed = 1, retain_available = false }").start();
  }

  @AfterAll
  static void stop() {
    gw.close();
    limited.close();
  }

  static byte connackCode(RawMqttClient c, boolean willRetain, MqttQoS willQos) throws Exception {
    c.send(MqttMessageBuilders.connect().clientId("w-" + willRetain + willQos).protocolVersion(MqttVersion.MQTT_5)
        .cleanSession(true).willFlag(true).willQoS(willQos).willRetain(willRetain).willTopic("lim/will")
        .willMessage("x".getBytes()).build());
    Deque<MqttMessage> seen = c.drainUntilClosed(Duration.ofSeconds(5));
    assertThat(c.closedByServer(Duration.ofMillis(200))).as("closed by the server").isTrue();
    MqttMessage ack = seen.peekFirst();
    assertThat(ack).isInstanceOf(MqttConnAckMessage.class);
    return ((MqttConnAckMessage) ack).variableHeader().connectReturnCode().byteValue();
  }

  @Test
  void a_will_qos_above_the_maximum_qos_is_refused_with_0x9b() throws Exception { // MQTT-3.2.2-12
    try (RawMqttClient c = new RawMqttClient(limited.mqttPort())) {
      assertThat(connackCode(c, false, MqttQoS.EXACTLY_ONCE)).isEqualTo((byte) 0x9B);
    }
  }

  @Test
  void a_retained_will_without_retain_support_is_refused_with_0x9a() throws Exception { // MQTT-3.2.2-13
    try (RawMqttClient c = new RawMqttClient(limited.mqttPort())) {
      assertThat(connackCode(c, true, MqttQoS.AT_MOST_ONCE)).isEqualTo((byte) 0x9A);
    }
  }

  @Test
  void an_ill_formed_will_topic_is_refused() throws Exception { // MQTT-3.1.3-11
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertRefusedConnect(c, connect(0x06, bytes(), "badwill", bytes().b(0).raw(ILL_FORMED).str("x")));
    }
  }

  @Test
  void an_ill_formed_user_name_is_refused() throws Exception { // MQTT-3.1.3-12
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertRefusedConnect(c, connect(0x82, bytes(), "badname", bytes().raw(ILL_FORMED)));
    }
  }

  @Test
  void an_ill_formed_topic_filter_in_subscribe_is_malformed() throws Exception { // MQTT-3.8.3-1
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertClosedWith(c, bytes().u16(1).b(0).raw(ILL_FORMED).b(0).packet(0x82), 0x81);
    }
  }

  @Test
  void an_ill_formed_topic_filter_in_unsubscribe_is_malformed() throws Exception { // MQTT-3.10.3-1
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertClosedWith(c, bytes().u16(1).b(0).raw(ILL_FORMED).packet(0xA2), 0x81);
    }
  }

  @Test
  void an_empty_topic_filter_is_refused() throws Exception { // MQTT-4.7.3-1
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      c.connect("emptyfilter", 5, true, 60);
      c.sendRaw(bytes().u16(4).b(0).str("").b(0).str("ok/e").b(0).packet(0x82));
      Deque<MqttMessage> seen = c.drainUntilClosed(Duration.ofSeconds(2));
      MqttMessage first = seen.peekFirst();
      if (first instanceof MqttSubAckMessage ack) { // refused in the SUBACK, the other filter granted
        assertThat(ack.payload().reasonCodes()).containsExactly(0x8F, 0);
      } else { // or treated as a malformed packet
        assertThat(c.closedByServer(Duration.ofMillis(200))).isTrue();
      }
    }
  }

  @Test
  void an_ill_formed_user_property_is_malformed() throws Exception { // MQTT-1.5.7-1
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertClosedWith(c, bytes().str("s/up").props(bytes().b(0x26).raw(ILL_FORMED).str("v")).b('x').packet(0x30), 0x81);
    }
  }

  @Test
  void an_ill_formed_response_topic_is_malformed() throws Exception { // MQTT-3.3.2-13
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertClosedWith(c, bytes().str("s/rt").props(bytes().b(0x08).raw(ILL_FORMED)).b('x').packet(0x30), 0x81);
    }
  }

  @Test
  void an_ill_formed_content_type_is_malformed() throws Exception { // MQTT-3.3.2-19
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertClosedWith(c, bytes().str("s/ct").props(bytes().b(0x03).raw(ILL_FORMED)).b('x').packet(0x30), 0x81);
    }
  }

  @Test
  void a_will_flag_without_the_will_fields_is_refused() throws Exception { // MQTT-3.1.2-9
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertRefusedConnect(c, connect(0x06, bytes(), "nowill", bytes()));
    }
  }

  @Test
  void a_publish_sent_behind_a_refused_connect_is_not_processed() throws Exception { // MQTT-3.1.4-6
    Duration wait = Duration.ofSeconds(5);
    try (RawMqttClient sub = new RawMqttClient(gw.mqttPort()); RawMqttClient pub = new RawMqttClient(gw.mqttPort());
        RawMqttClient refused = new RawMqttClient(gw.mqttPort())) {
      sub.connect("behind-sub", 5, true, 60);
      sub.sendRaw(bytes().u16(1).b(0).str("behind/refused").b(0).packet(0x82));
      assertThat(sub.await(MqttMessageType.SUBACK, wait)).isNotNull();
      // a wildcard client id passes the listener's check and is refused by the broker while the session opens
      byte[] connect = connect(0x02, bytes(), "bad+id", bytes());
      byte[] publish = bytes().str("behind/refused").b(0).b('x').packet(0x30);
      byte[] both = java.util.Arrays.copyOf(connect, connect.length + publish.length);
      System.arraycopy(publish, 0, both, connect.length, publish.length);
      refused.sendRaw(both);
      Deque<MqttMessage> seen = refused.drainUntilClosed(wait);
      assertThat(seen).as("the refused side got CONNACK 0x85; it saw %s", seen).anySatisfy(m -> {
        assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK);
        assertThat(((io.netty.handler.codec.mqtt.MqttConnAckVariableHeader) m.variableHeader()).connectReturnCode().byteValue())
            .isEqualTo((byte) 0x85);
      });
      pub.connect("behind-pub", 5, true, 60);
      pub.sendRaw(bytes().str("behind/refused").b(0).b('m').packet(0x30)); // the marker: the first thing delivered
      MqttPublishMessage first = (MqttPublishMessage) sub.await(MqttMessageType.PUBLISH, wait);
      assertThat(first.payload().toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("m");
    }
  }

  @Test
  void a_delivery_the_client_refused_with_0x80_is_not_sent_again_on_resume() throws Exception { // MQTT-4.4.0-2
    io.netty.handler.codec.mqtt.MqttProperties keep = new io.netty.handler.codec.mqtt.MqttProperties();
    keep.add(new io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty(
        io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), 300));
    try (RawMqttClient pub = new RawMqttClient(gw.mqttPort())) {
      pub.connect("refuser-pub", 5, true, 60);
      try (RawMqttClient sub = new RawMqttClient(gw.mqttPort())) {
        sub.connect("refuser", 5, true, 60, keep);
        sub.sendRaw(bytes().u16(1).b(0).str("refused/#").b(1).packet(0x82));
        assertThat(sub.await(MqttMessageType.SUBACK, Duration.ofSeconds(5))).isNotNull();
        pub.sendRaw(bytes().str("refused/1").u16(1).b(0).b('1').packet(0x32));
        var first = (io.netty.handler.codec.mqtt.MqttPublishMessage) sub.await(MqttMessageType.PUBLISH, Duration.ofSeconds(5));
        int id = first.variableHeader().packetId();
        first.release();
        sub.sendRaw(bytes().u16(id).b(0x80).b(0).packet(0x40)); // PUBACK 0x80 (unspecified error)
        sub.sendRaw(bytes().b(0).b(0).packet(0xE0)); // DISCONNECT 0x00, the session stays
        assertThat(sub.closedByServer(Duration.ofSeconds(5))).isTrue();
      }
      try (RawMqttClient sub = new RawMqttClient(gw.mqttPort())) {
        sub.connect("refuser", 5, false, 60, keep);
        pub.sendRaw(bytes().str("refused/2").u16(2).b(0).b('2').packet(0x32));
        var next = (io.netty.handler.codec.mqtt.MqttPublishMessage) sub.await(MqttMessageType.PUBLISH, Duration.ofSeconds(5));
        assertThat(next.variableHeader().topicName()).as("not the refused refused/1 again").isEqualTo("refused/2");
        next.release();
      }
    }
  }

  @Test
  void after_a_pubrec_refusal_the_same_packet_id_is_a_new_message() throws Exception { // MQTT-4.3.3-9
    try (RawMqttClient sub = new RawMqttClient(gw.mqttPort()); RawMqttClient pub = new RawMqttClient(gw.mqttPort())) {
      sub.connect("pubrec-sub", 5, true, 60);
      sub.sendRaw(bytes().u16(1).b(0).str("again/#").b(2).packet(0x82));
      assertThat(sub.await(MqttMessageType.SUBACK, Duration.ofSeconds(5))).isNotNull();
      pub.connect("pubrec-pub", 5, true, 60);
      pub.sendRaw(bytes().str("$SYS/denied").u16(5).b(0).b('x').packet(0x34)); // QoS 2, refused
      MqttMessage rec = pub.await(MqttMessageType.PUBREC, Duration.ofSeconds(5));
      assertThat(((io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader) rec.variableHeader()).reasonCode() & 0xFF)
          .isGreaterThanOrEqualTo(0x80);
      pub.sendRaw(bytes().str("again/x").u16(5).b(0).b('y').packet(0x34)); // the same id, no PUBREL between
      MqttMessage rec2 = pub.await(MqttMessageType.PUBREC, Duration.ofSeconds(5));
      assertThat(((io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader) rec2.variableHeader()).reasonCode())
          .isIn((byte) 0x00, (byte) 0x10);
      var got = (io.netty.handler.codec.mqtt.MqttPublishMessage) sub.await(MqttMessageType.PUBLISH, Duration.ofSeconds(5));
      assertThat(got.variableHeader().topicName()).isEqualTo("again/x");
      got.release();
    }
  }

  @Test
  void a_shared_message_a_member_refused_goes_to_no_other_member() throws Exception { // MQTT-4.8.2-6
    try (RawMqttClient a = new RawMqttClient(gw.mqttPort()); RawMqttClient b = new RawMqttClient(gw.mqttPort());
        RawMqttClient pub = new RawMqttClient(gw.mqttPort())) {
      RawMqttClient[] members = {a, b};
      for (int i = 0; i < 2; i++) {
        members[i].connect("sh-" + i, 5, true, 60);
        members[i].sendRaw(bytes().u16(1).b(0).str("$share/g6/sh6/#").b(1).packet(0x82));
        assertThat(members[i].await(MqttMessageType.SUBACK, Duration.ofSeconds(5))).isNotNull();
      }
      pub.connect("sh-pub", 5, true, 60);
      pub.sendRaw(bytes().str("sh6/1").u16(1).b(0).b('1').packet(0x32));
      RawMqttClient refuser = null;
      io.netty.handler.codec.mqtt.MqttPublishMessage first = null;
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (first == null && System.nanoTime() < deadline) {
        for (RawMqttClient m : members) {
          MqttMessage got = m.next(Duration.ofMillis(100));
          if (got instanceof io.netty.handler.codec.mqtt.MqttPublishMessage p) {
            first = p;
            refuser = m;
          }
        }
      }
      assertThat(first).as("one member got sh6/1").isNotNull();
      refuser.sendRaw(bytes().u16(first.variableHeader().packetId()).b(0x80).b(0).packet(0x40)); // PUBACK 0x80
      first.release();
      RawMqttClient other = refuser == a ? b : a;
      refuser.close();
      pub.sendRaw(bytes().str("sh6/2").u16(2).b(0).b('2').packet(0x32));
      var next = (io.netty.handler.codec.mqtt.MqttPublishMessage) other.await(MqttMessageType.PUBLISH, Duration.ofSeconds(5));
      assertThat(next.variableHeader().topicName()).as("the refused sh6/1 is not handed on").isEqualTo("sh6/2");
      next.release();
    }
  }

  @Test
  void a_shared_message_in_flight_to_a_member_whose_session_ended_goes_to_no_other_member() throws Exception {
    // MQTT-4.8.2-5
    try (RawMqttClient b = new RawMqttClient(gw.mqttPort()); RawMqttClient pub = new RawMqttClient(gw.mqttPort())) {
      try (RawMqttClient a = new RawMqttClient(gw.mqttPort())) {
        a.connect("sh9-a", 5, true, 60); // Session Expiry Interval 0: the session ends with the connection
        a.sendRaw(bytes().u16(1).b(0).str("$share/g9/sh9/#").b(1).packet(0x82));
        assertThat(a.await(MqttMessageType.SUBACK, Duration.ofSeconds(5))).isNotNull();
        pub.connect("sh9-pub", 5, true, 60);
        pub.sendRaw(bytes().str("sh9/1").u16(1).b(0).b('1').packet(0x32));
        var first = (io.netty.handler.codec.mqtt.MqttPublishMessage) a.await(MqttMessageType.PUBLISH, Duration.ofSeconds(5));
        assertThat(first.variableHeader().topicName()).as("the only member gets sh9/1").isEqualTo("sh9/1");
        first.release();
        b.connect("sh9-b", 5, true, 60);
        b.sendRaw(bytes().u16(1).b(0).str("$share/g9/sh9/#").b(1).packet(0x82));
        assertThat(b.await(MqttMessageType.SUBACK, Duration.ofSeconds(5))).isNotNull();
      } // a drops without PUBACK; its session ends with the connection
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> gw.sessions().stream().noneMatch(s -> s.clientId().equals("sh9-a")));
      pub.sendRaw(bytes().str("sh9/2").u16(2).b(0).b('2').packet(0x32));
      var next = (io.netty.handler.codec.mqtt.MqttPublishMessage) b.await(MqttMessageType.PUBLISH, Duration.ofSeconds(5));
      assertThat(next.variableHeader().topicName()).as("sh9/1 is not handed to the other member").isEqualTo("sh9/2");
      next.release();
    }
  }

  /**
   * Subscribes {@code filter} with a persistent session, gets one QoS 1 message and leaves it unacknowledged,
   * unsubscribes if asked, drops the connection and resumes: the same message must come again, with DUP.
   */
  private static void inflightSurvives(String id, String filter, String topic, int qos, boolean unsubscribe)
      throws Exception {
    io.netty.handler.codec.mqtt.MqttProperties keep = new io.netty.handler.codec.mqtt.MqttProperties();
    keep.add(new io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty(
        io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), 300));
    try (RawMqttClient pub = new RawMqttClient(gw.mqttPort())) {
      pub.connect(id + "-pub", 5, true, 60);
      try (RawMqttClient sub = new RawMqttClient(gw.mqttPort())) {
        sub.connect(id, 5, true, 60, keep);
        sub.sendRaw(bytes().u16(1).b(0).str(filter).b(qos).packet(0x82));
        assertThat(sub.await(MqttMessageType.SUBACK, Duration.ofSeconds(5))).isNotNull();
        pub.sendRaw(bytes().str(topic).u16(1).b(0).b('1').packet(0x30 | qos << 1));
        if (qos == 2) { // the publisher's own exchange is completed; only the subscriber's stays open
          assertThat(pub.await(MqttMessageType.PUBREC, Duration.ofSeconds(5))).isNotNull();
          pub.sendRaw(bytes().u16(1).packet(0x62));
          assertThat(pub.await(MqttMessageType.PUBCOMP, Duration.ofSeconds(5))).isNotNull();
        }
        var first = (io.netty.handler.codec.mqtt.MqttPublishMessage) sub.await(MqttMessageType.PUBLISH, Duration.ofSeconds(5));
        assertThat(first.variableHeader().topicName()).isEqualTo(topic);
        assertThat(first.fixedHeader().qosLevel().value()).isEqualTo(qos);
        first.release();
        if (unsubscribe) {
          sub.sendRaw(bytes().u16(2).b(0).str(filter).packet(0xA2));
          assertThat(sub.await(MqttMessageType.UNSUBACK, Duration.ofSeconds(5))).isNotNull();
        }
      } // dropped without PUBACK or DISCONNECT
      try (RawMqttClient sub = new RawMqttClient(gw.mqttPort())) {
        sub.connect(id, 5, false, 60, keep);
        var again = (io.netty.handler.codec.mqtt.MqttPublishMessage) sub.await(MqttMessageType.PUBLISH, Duration.ofSeconds(5));
        assertThat(again).as("the unacknowledged message comes again").isNotNull();
        assertThat(again.variableHeader().topicName()).isEqualTo(topic);
        assertThat(again.fixedHeader().isDup()).isTrue();
        assertThat(again.fixedHeader().qosLevel().value()).isEqualTo(qos);
        again.release();
      }
    }
  }

  @Test
  void an_unsubscribe_does_not_cancel_a_qos1_delivery_in_flight() throws Exception { // MQTT-3.10.4-3
    inflightSurvives("unsub-inflight", "inflight/#", "inflight/1", 1, true);
  }

  @Test
  void a_shared_member_that_went_away_gets_its_unacknowledged_message_on_resume() throws Exception { // MQTT-4.8.2-4
    inflightSurvives("shared-inflight", "$share/g7/sh7/#", "sh7/1", 1, false);
  }

  @Test
  void a_qos2_delivery_to_a_shared_member_that_went_away_is_finished_when_it_reconnects() throws Exception {
    // MQTT-4.8.2-4 names the QoS 2 case
    inflightSurvives("shared-inflight2", "$share/g8/sh8/#", "sh8/1", 2, false);
  }

  // ---- §3.12 PINGREQ, §4.9 flow control, §3.1.2 maximum packet size ---------------------------------------------

  @Test
  void pingreq_is_answered_with_pingresp_even_with_no_send_quota_left() throws Exception {
    // MQTT-3.12.4-1, MQTT-4.9.0-3, MQTT-3.3.4-10
    MqttProperties one = new MqttProperties();
    one.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value(), 1));
    try (RawMqttClient sub = new RawMqttClient(gw.mqttPort()); RawMqttClient pub = new RawMqttClient(gw.mqttPort())) {
      sub.connect("quota", 5, true, 60, one);
      sub.sendRaw(bytes().u16(1).b(0).str("quota/#").b(1).packet(0x82));
      assertThat(sub.await(MqttMessageType.SUBACK, Duration.ofSeconds(5))).isNotNull();
      pub.connect("quota-pub", 5, true, 60);
      pub.sendRaw(bytes().str("quota/1").u16(1).b(0).b('1').packet(0x32));
      pub.sendRaw(bytes().str("quota/2").u16(2).b(0).b('2').packet(0x32));
      MqttPublishMessage first = (MqttPublishMessage) sub.await(MqttMessageType.PUBLISH, Duration.ofSeconds(5));
      assertThat(first.variableHeader().topicName()).isEqualTo("quota/1");
      int id = first.variableHeader().packetId();
      first.release();
      sub.sendRaw(bytes().packet(0xC0)); // PINGREQ while the quota is 0
      MqttMessage next = sub.next(Duration.ofSeconds(5));
      assertThat(next.fixedHeader().messageType()).as("PINGRESP, not the second PUBLISH").isEqualTo(MqttMessageType.PINGRESP);
      sub.sendRaw(bytes().u16(id).packet(0x40)); // PUBACK frees the quota
      MqttPublishMessage second = (MqttPublishMessage) sub.await(MqttMessageType.PUBLISH, Duration.ofSeconds(5));
      assertThat(second.variableHeader().topicName()).isEqualTo("quota/2");
      second.release();
    }
  }

  @Test
  void a_message_larger_than_the_clients_maximum_packet_size_is_not_sent_and_the_next_one_is() throws Exception {
    // MQTT-3.1.2-24, MQTT-3.1.2-25
    MqttProperties small = new MqttProperties();
    small.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.MAXIMUM_PACKET_SIZE.value(), 64));
    try (RawMqttClient sub = new RawMqttClient(gw.mqttPort()); RawMqttClient pub = new RawMqttClient(gw.mqttPort())) {
      sub.connect("small", 5, true, 60, small);
      sub.sendRaw(bytes().u16(1).b(0).str("mps/#").b(1).packet(0x82));
      assertThat(sub.await(MqttMessageType.SUBACK, Duration.ofSeconds(5))).isNotNull();
      pub.connect("small-pub", 5, true, 60);
      MqttConformanceRawIT.Bytes big = bytes().str("mps/big").u16(1).b(0);
      big.out.writeBytes(new byte[200]);
      pub.sendRaw(big.packet(0x32));
      pub.sendRaw(bytes().str("mps/small").u16(2).b(0).b('s').packet(0x32));
      MqttPublishMessage m = (MqttPublishMessage) sub.await(MqttMessageType.PUBLISH, Duration.ofSeconds(5));
      assertThat(m).isNotNull();
      assertThat(m.variableHeader().topicName()).isEqualTo("mps/small");
      m.release();
    }
  }
}
