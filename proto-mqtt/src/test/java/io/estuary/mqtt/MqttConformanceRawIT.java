package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.testkit.RawMqttClient;
import io.estuary.testkit.TestGateway;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Deque;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MQTT 5.0 statements a client library refuses to violate, driven by hand-encoded packets (docs/mqtt.md, section
 * "Conformance"). Each test names the statement ids it covers; each asserts what the client sees: the reason code
 * of the server's CONNACK / DISCONNECT / SUBACK, or the close.
 */
@Timeout(60)
class MqttConformanceRawIT {
  static final Duration WAIT = Duration.ofSeconds(5);
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().config("mqtt.max_topic_alias = 10").start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  // ---- hand encoding -------------------------------------------------------------------------------------------

  static final class Bytes {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Bytes b(int... bytes) {
      for (int x : bytes) {
        out.write(x);
      }
      return this;
    }

    Bytes u16(int v) {
      return b(v >> 8, v & 0xFF);
    }

    Bytes str(String s) {
      byte[] raw = s.getBytes(StandardCharsets.UTF_8);
      u16(raw.length);
      out.writeBytes(raw);
      return this;
    }

    Bytes raw(byte[] raw) {
      u16(raw.length);
      out.writeBytes(raw);
      return this;
    }

    Bytes varint(int len) {
      do {
        int digit = len % 128;
        len /= 128;
        out.write(len > 0 ? digit | 0x80 : digit);
      } while (len > 0);
      return this;
    }

    Bytes props(Bytes p) {
      byte[] raw = p.out.toByteArray();
      varint(raw.length);
      out.writeBytes(raw);
      return this;
    }

    byte[] packet(int typeAndFlags) {
      byte[] body = out.toByteArray();
      Bytes whole = new Bytes().b(typeAndFlags).varint(body.length);
      whole.out.writeBytes(body);
      return whole.out.toByteArray();
    }
  }

  static Bytes bytes() {
    return new Bytes();
  }

  /** A v5 CONNECT with the given connect flags, properties and the rest of the payload after the client id. */
  static byte[] connect(int flags, Bytes props, String clientId, Bytes rest) {
    Bytes body = bytes().str("MQTT").b(5, flags).u16(60).props(props).str(clientId);
    body.out.writeBytes(rest.out.toByteArray());
    return body.packet(0x10);
  }

  static byte reason(MqttMessage m) {
    assertThat(m).as("a DISCONNECT from the server").isNotNull();
    assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
    return ((MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader()).reasonCode();
  }

  /** The server refused the connection: closed it, and any CONNACK it sent first carried a code of 0x80 or more. */
  static void assertRefusedConnect(RawMqttClient c, byte[] connect) throws Exception {
    c.sendRaw(connect);
    Deque<MqttMessage> seen = c.drainUntilClosed(WAIT);
    assertThat(seen).noneSatisfy(m -> assertThat(m instanceof MqttConnAckMessage ack
        && ack.variableHeader().connectReturnCode().byteValue() == 0).isTrue());
    assertThat(seen).as("no DISCONNECT before a successful CONNACK")
        .noneSatisfy(m -> assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT));
    assertThat(c.closedByServer(Duration.ofMillis(200))).as("closed by the server").isTrue();
  }

  /** After a good CONNECT, the packet is a malformed packet or protocol error: DISCONNECT with one of codes, or a close. */
  static void assertClosedWith(RawMqttClient c, byte[] packet, int... codes) throws Exception {
    c.connect("c-" + System.nanoTime(), 5, true, 60);
    c.sendRaw(packet);
    Deque<MqttMessage> seen = c.drainUntilClosed(WAIT);
    assertThat(c.closedByServer(Duration.ofMillis(200))).as("closed by the server; it sent %s", types(seen)).isTrue();
    for (MqttMessage m : seen) {
      if (m.fixedHeader().messageType() == MqttMessageType.DISCONNECT) {
        byte r = reason(m);
        boolean listed = false;
        for (int code : codes) {
          listed |= r == (byte) code;
        }
        assertThat(listed).as("DISCONNECT reason 0x%02x is one of the expected codes", r).isTrue();
      }
      assertThat(m.fixedHeader().messageType()).as("nothing but a DISCONNECT answers a broken packet")
          .isIn(MqttMessageType.DISCONNECT);
    }
  }

  static java.util.List<String> types(Deque<MqttMessage> seen) {
    return seen.stream().map(m -> m.fixedHeader().messageType() + (m.decoderResult().isFailure() ? "(undecodable)" : "")).toList();
  }

  // ---- §3.1 CONNECT --------------------------------------------------------------------------------------------

  @Test
  void a_connect_with_the_reserved_flag_set_is_refused_and_closed() throws Exception { // MQTT-3.1.2-3
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertRefusedConnect(c, connect(0x03, bytes(), "reserved", bytes()));
    }
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) { // the control: flags 0x02 are accepted
      c.sendRaw(connect(0x02, bytes(), "reserved", bytes()));
      assertThat(c.closedByServer(Duration.ofMillis(500))).isFalse();
    }
  }

  @Test
  void a_will_qos_without_the_will_flag_is_refused() throws Exception { // MQTT-3.1.2-11
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertRefusedConnect(c, connect(0x02 | 0x08, bytes(), "willqos", bytes()));
    }
  }

  @Test
  void a_will_qos_of_3_is_refused() throws Exception { // MQTT-3.1.2-12
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertRefusedConnect(c, connect(0x02 | 0x04 | 0x18, bytes(), "willqos3", bytes().b(0).str("w/t").str("gone")));
    }
  }

  @Test
  void a_will_retain_without_the_will_flag_is_refused() throws Exception { // MQTT-3.1.2-13
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertRefusedConnect(c, connect(0x02 | 0x20, bytes(), "willret", bytes()));
    }
  }

  @Test
  void an_authentication_method_the_server_does_not_offer_is_refused() throws Exception { // MQTT-4.12.0-1
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      MqttProperties scram = new MqttProperties();
      scram.add(new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.AUTHENTICATION_METHOD.value(), "SCRAM-SHA-1"));
      c.send(MqttMessageBuilders.connect().clientId("scram").protocolVersion(MqttVersion.MQTT_5).properties(scram).build());
      Deque<MqttMessage> seen = c.drainUntilClosed(WAIT);
      assertThat(seen).anySatisfy(m -> assertThat(((MqttConnAckMessage) m).variableHeader().connectReturnCode()
          .byteValue()).isIn((byte) 0x8C, (byte) 0x87));
      assertThat(c.closedByServer(Duration.ofMillis(200))).isTrue();
    }
  }

  @Test
  void the_connack_has_no_reserved_bits_no_auth_method_and_no_response_information() throws Exception {
    // MQTT-3.2.2-1, MQTT-3.1.2-28, MQTT-4.12.0-6
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      MqttConnAckMessage ack = (MqttConnAckMessage) c.connect("plain", 5, true, 60);
      assertThat(ack.variableHeader().connectReturnCode().byteValue()).isZero();
      MqttProperties p = ack.variableHeader().properties();
      assertThat(p.getProperty(MqttProperties.MqttPropertyType.AUTHENTICATION_METHOD.value())).isNull();
      assertThat(p.getProperty(MqttProperties.MqttPropertyType.RESPONSE_INFORMATION.value())).isNull();
    }
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", gw.mqttPort())) {
      s.getOutputStream().write(connect(0x02, bytes(), "rawbits", bytes()));
      s.setSoTimeout(5000);
      byte[] head = s.getInputStream().readNBytes(3);
      assertThat(head[0]).isEqualTo((byte) 0x20);
      assertThat(head[1] & 0x80).as("a remaining length below 128 in one byte (MQTT-1.5.5-1)").isZero();
      assertThat(head[2] & 0xFE).as("CONNACK acknowledge flags, bits 7-1 reserved").isZero();
    }
  }

  @Test
  void a_refused_connack_says_no_session_present_even_when_a_session_exists() throws Exception { // MQTT-3.2.2-6
    MqttProperties keep = new MqttProperties();
    keep.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), 300));
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      c.connect("kept", 5, false, 60, keep);
    }
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      // Receive Maximum 0 is a protocol error; the CONNACK refusing it must not claim the stored session
      MqttProperties zero = new MqttProperties();
      zero.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), 300));
      zero.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value(), 0));
      c.send(MqttMessageBuilders.connect().clientId("kept").protocolVersion(MqttVersion.MQTT_5).cleanSession(false)
          .properties(zero).build());
      MqttConnAckMessage ack = (MqttConnAckMessage) c.await(MqttMessageType.CONNACK, WAIT);
      assertThat(ack.variableHeader().connectReturnCode().byteValue() & 0xFF).isGreaterThanOrEqualTo(0x80);
      assertThat(ack.variableHeader().isSessionPresent()).isFalse();
      assertThat(c.closedByServer(WAIT)).isTrue();
    }
  }

  @Test
  void a_second_connect_gets_no_second_connack_but_disconnect_0x82() throws Exception { // MQTT-3.1.0-2, MQTT-3.2.0-2
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      c.connect("twice-raw", 5, true, 60);
      c.sendRaw(connect(0x02, bytes(), "twice-raw", bytes()));
      Deque<MqttMessage> seen = c.drainUntilClosed(WAIT);
      assertThat(seen).noneSatisfy(m -> assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK));
      assertThat(seen).anySatisfy(m -> assertThat(reason(m)).isEqualTo((byte) 0x82));
    }
  }

  @Test
  void a_packet_sent_right_behind_the_connect_is_processed() throws Exception {
    // §3.1.4: a client need not wait for the CONNACK before sending further packets (MQTT-3.1.4-6 assumes it)
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", gw.mqttPort())) {
      byte[] connect = connect(0x02, bytes(), "pipelined", bytes());
      byte[] both = java.util.Arrays.copyOf(connect, connect.length + 2);
      both[connect.length] = (byte) 0xC0; // PINGREQ in the same write
      s.getOutputStream().write(both);
      s.setSoTimeout(2000);
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      boolean open = false;
      try {
        byte[] buf = new byte[256];
        for (int n; (n = s.getInputStream().read(buf)) > 0; ) {
          got.write(buf, 0, n);
        }
      } catch (java.net.SocketTimeoutException stillOpen) {
        open = true;
      }
      String hex = java.util.HexFormat.of().formatHex(got.toByteArray());
      assertThat(hex).as("a CONNACK first").startsWith("20");
      assertThat(hex).as("a PINGRESP last").endsWith("d000");
      assertThat(open).as("the connection stays open").isTrue();
    }
  }

  @Test
  void a_take_over_sends_disconnect_0x8e_without_a_session_expiry_interval() throws Exception {
    // MQTT-3.1.4-3, MQTT-3.14.2-2
    try (RawMqttClient first = new RawMqttClient(gw.mqttPort()); RawMqttClient second = new RawMqttClient(gw.mqttPort())) {
      first.connect("taken", 5, true, 60);
      second.connect("taken", 5, true, 60);
      MqttMessage d = first.await(MqttMessageType.DISCONNECT, WAIT);
      assertThat(reason(d)).isEqualTo((byte) 0x8E);
      MqttProperties p = ((MqttReasonCodeAndPropertiesVariableHeader) d.variableHeader()).properties();
      assertThat(p.getProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value())).isNull();
      assertThat(first.closedByServer(WAIT)).isTrue();
    }
  }

  // ---- §2.1.3 fixed header flags, §3.3.1 PUBLISH flags ---------------------------------------------------------

  @Test
  void a_subscribe_with_wrong_fixed_header_flags_is_malformed() throws Exception { // MQTT-2.1.3-1, MQTT-3.8.1-1
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertClosedWith(c, bytes().u16(1).b(0).str("a").b(0).packet(0x80), 0x81);
    }
  }

  @Test
  void an_unsubscribe_with_wrong_fixed_header_flags_is_malformed() throws Exception { // MQTT-3.10.1-1
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertClosedWith(c, bytes().u16(1).b(0).str("a").packet(0xA0), 0x81);
    }
  }

  @Test
  void a_pubrel_with_wrong_fixed_header_flags_is_malformed() throws Exception { // MQTT-3.6.1-1
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertClosedWith(c, bytes().u16(1).packet(0x60), 0x81);
    }
  }

  @Test
  void a_disconnect_with_reserved_bits_set_is_malformed() throws Exception { // MQTT-3.14.1-1
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertClosedWith(c, bytes().packet(0xE1), 0x81);
    }
  }

  @Test
  void a_publish_with_qos_3_is_malformed() throws Exception { // MQTT-3.3.1-4
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertClosedWith(c, bytes().str("q/3").u16(1).b(0).b('x').packet(0x36), 0x81);
    }
  }

  @Test
  void a_qos_0_publish_with_dup_set_is_malformed() throws Exception { // MQTT-3.3.1-2
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertClosedWith(c, bytes().str("dup/0").b(0).b('x').packet(0x38), 0x81);
    }
  }

  @Test
  void the_dup_flag_of_a_forwarded_publish_is_the_servers_own() throws Exception { // MQTT-3.3.1-3, MQTT-4.3.2-2/-5
    try (RawMqttClient sub = new RawMqttClient(gw.mqttPort()); RawMqttClient pub = new RawMqttClient(gw.mqttPort())) {
      sub.connect("dup-sub", 5, true, 60);
      sub.sendRaw(bytes().u16(7).b(0).str("dup/1").b(1).packet(0x82));
      assertThat(sub.await(MqttMessageType.SUBACK, WAIT)).isNotNull();
      pub.connect("dup-pub", 5, true, 60);
      pub.sendRaw(bytes().str("dup/1").u16(9).b(0).b('x').packet(0x3A)); // QoS 1, DUP 1
      assertThat(pub.await(MqttMessageType.PUBACK, WAIT)).isNotNull();
      MqttPublishMessage m = (MqttPublishMessage) sub.await(MqttMessageType.PUBLISH, WAIT);
      assertThat(m.fixedHeader().isDup()).isFalse();
      m.release();
      // after the PUBACK, the same packet identifier is a new message (MQTT-4.3.2-5)
      pub.sendRaw(bytes().str("dup/1").u16(9).b(0).b('y').packet(0x32));
      MqttPublishMessage again = (MqttPublishMessage) sub.await(MqttMessageType.PUBLISH, WAIT);
      assertThat(again.payload().toString(StandardCharsets.UTF_8)).isEqualTo("y");
      again.release();
    }
  }

  // ---- §3.3.2 topic names and aliases --------------------------------------------------------------------------

  @Test
  void a_topic_name_with_a_null_character_is_malformed() throws Exception { // MQTT-1.5.4-2, MQTT-4.7.3-2
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertClosedWith(c, bytes().str("a\u0000b").b(0).b('x').packet(0x30), 0x81, 0x90);
    }
  }

  @Test
  void an_empty_topic_name_without_an_alias_is_a_protocol_error() throws Exception { // MQTT-4.7.3-1, MQTT-3.3.2-1
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertClosedWith(c, bytes().str("").b(0).b('x').packet(0x30), 0x82, 0x81, 0x90);
    }
  }

  @Test
  void a_topic_alias_of_0_is_disconnected_with_0x94() throws Exception { // MQTT-3.3.2-8 (as receiver)
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertClosedWith(c, bytes().str("ta/0").props(bytes().b(0x23).u16(0)).b('x').packet(0x30), 0x94);
    }
  }

  @Test
  void a_topic_alias_above_the_servers_maximum_is_disconnected_with_0x94() throws Exception { // MQTT-3.3.2-9/-12
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertClosedWith(c, bytes().str("ta/big").props(bytes().b(0x23).u16(65535)).b('x').packet(0x30), 0x94);
    }
  }

  @Test
  void every_alias_up_to_the_servers_maximum_is_accepted_and_none_survives_the_connection() throws Exception {
    // MQTT-3.3.2-12, MQTT-3.3.2-7
    MqttProperties keep = new MqttProperties();
    keep.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), 300));
    int max;
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      MqttConnAckMessage ack = (MqttConnAckMessage) c.connect("alias", 5, false, 60, keep);
      var p = ack.variableHeader().properties().getProperty(MqttProperties.MqttPropertyType.TOPIC_ALIAS_MAXIMUM.value());
      assertThat(p).as("the server offers topic aliases").isNotNull();
      max = (Integer) p.value();
      c.sendRaw(bytes().u16(3).b(0).str("alias/#").b(0).packet(0x82));
      assertThat(c.await(MqttMessageType.SUBACK, WAIT)).isNotNull();
      for (int alias : new int[] {1, max}) {
        c.sendRaw(bytes().str("alias/" + alias).props(bytes().b(0x23).u16(alias)).b('b').packet(0x30)); // binds
        c.sendRaw(bytes().str("").props(bytes().b(0x23).u16(alias)).b('u').packet(0x30)); // uses
        for (String payload : new String[] {"b", "u"}) {
          MqttPublishMessage m = (MqttPublishMessage) c.await(MqttMessageType.PUBLISH, WAIT);
          assertThat(m).isNotNull();
          // this subscriber set no Topic Alias Maximum: full topic names, no alias (MQTT-3.1.2-27)
          assertThat(m.variableHeader().topicName()).isEqualTo("alias/" + alias);
          assertThat(m.variableHeader().properties().getProperty(MqttProperties.MqttPropertyType.TOPIC_ALIAS.value())).isNull();
          assertThat(m.payload().toString(StandardCharsets.UTF_8)).isEqualTo(payload);
          m.release();
        }
      }
    }
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      c.connect("alias", 5, false, 60, keep);
      assertClosedAfterConnect(c, bytes().str("").props(bytes().b(0x23).u16(1)).b('x').packet(0x30), 0x82);
    }
  }

  private static void assertClosedAfterConnect(RawMqttClient c, byte[] packet, int code) throws Exception {
    c.sendRaw(packet);
    assertThat(reason(c.await(MqttMessageType.DISCONNECT, WAIT))).isEqualTo((byte) code);
    assertThat(c.closedByServer(WAIT)).isTrue();
  }

  // ---- §3.8 / §3.10 SUBSCRIBE, UNSUBSCRIBE, §4.7 / §4.8 filters ------------------------------------------------

  @Test
  void a_subscribe_without_a_topic_filter_is_a_protocol_error() throws Exception { // MQTT-3.8.3-2
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertClosedWith(c, bytes().u16(1).b(0).packet(0x82), 0x82, 0x81);
    }
  }

  @Test
  void an_unsubscribe_without_a_topic_filter_is_a_protocol_error() throws Exception { // MQTT-3.10.3-2
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertClosedWith(c, bytes().u16(1).b(0).packet(0xA2), 0x82, 0x81);
    }
  }

  @Test
  void reserved_bits_in_the_subscription_options_are_malformed() throws Exception { // MQTT-3.8.3-5
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertClosedWith(c, bytes().u16(1).b(0).str("opt/r").b(0xC1).packet(0x82), 0x81);
    }
  }

  @Test
  void retain_handling_3_is_a_protocol_error() throws Exception { // §3.8.3.1 (Retain Handling 3)
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertClosedWith(c, bytes().u16(1).b(0).str("opt/rh").b(0x31).packet(0x82), 0x82, 0x81);
    }
  }

  @Test
  void no_local_on_a_shared_subscription_is_a_protocol_error() throws Exception { // MQTT-3.8.3-4
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertClosedWith(c, bytes().u16(1).b(0).str("$share/g/nl").b(0x05).packet(0x82), 0x82);
    }
  }

  @Test
  void invalid_filters_fail_in_the_suback_one_code_per_filter_in_order() throws Exception {
    // MQTT-4.7.1-1, MQTT-4.7.1-2, MQTT-4.8.2-1, MQTT-4.8.2-2, MQTT-3.8.4-5/-6/-7, MQTT-3.9.3-1
    String[] filters = {"ok/+", "a/b#", "a+/b", "$share//a", "$share/g+/a", "$share/g", "ok/#"};
    Bytes body = bytes().u16(11).b(0);
    for (String f : filters) {
      body.str(f).b(1);
    }
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      c.connect("filters", 5, true, 60);
      c.sendRaw(body.packet(0x82));
      MqttSubAckMessage ack = (MqttSubAckMessage) c.await(MqttMessageType.SUBACK, WAIT);
      assertThat(ack.variableHeader().messageId()).isEqualTo(11);
      assertThat(ack.payload().reasonCodes()).containsExactly(1, 0x8F, 0x8F, 0x8F, 0x8F, 0x8F, 1);
    }
  }

  // ---- §4.12 AUTH ----------------------------------------------------------------------------------------------

  @Test
  void an_auth_packet_without_an_authentication_method_is_a_protocol_error() throws Exception { // MQTT-4.12.0-7
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      assertClosedWith(c, bytes().b(0x19).props(bytes()).packet(0xF0), 0x82);
    }
  }
}
