package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.estuary.testkit.RawMqttClient;
import io.estuary.testkit.TestGateway;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each hostile connection is closed alone (with the MQTT 5 reason where one exists); a bystander keeps working. */
@Timeout(60)
class MqttHostileInputIT {
  static TestGateway gw;
  Mqtt5BlockingClient bystander;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().config("mqtt.max_packet_size = 4KiB").start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @BeforeEach
  void connectBystander() {
    bystander = Mqtt5Client.builder().identifier("bystander").serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    bystander.connect();
  }

  @AfterEach
  void bystanderStillServed() throws Exception {
    try (var publishes = bystander.publishes(MqttGlobalPublishFilter.ALL)) {
      bystander.subscribeWith().topicFilter("bystander/echo").qos(MqttQos.AT_LEAST_ONCE).send();
      bystander.publishWith().topic("bystander/echo").qos(MqttQos.AT_LEAST_ONCE).payload("still here".getBytes()).send();
      assertThat(publishes.receive(5, TimeUnit.SECONDS)).isPresent();
    }
    bystander.disconnect();
    assertThat(gw.broker().sessionCount()).isLessThan(10);
  }

  private static byte disconnectReason(MqttMessage m) {
    assertThat(m).isNotNull();
    assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
    return ((MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader()).reasonCode();
  }

  @Test
  void random_bytes_close_only_that_connection() throws Exception {
    Random r = new Random(42);
    for (int i = 0; i < 20; i++) {
      byte[] junk = new byte[1 + r.nextInt(300)];
      r.nextBytes(junk);
      try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
        c.sendRaw(junk);
        assertThat(c.closedByServer(Duration.ofSeconds(20))).isTrue();
      }
    }
  }

  @Test
  void wrong_protocol_name_is_refused() throws Exception {
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      // CONNECT, remaining 14, protocol name "MQTX", level 4, flags 2, keepalive 60, client id "" -> invalid name
      c.sendRaw(new byte[] {0x10, 12, 0, 4, 'M', 'Q', 'T', 'X', 4, 2, 0, 60, 0, 0});
      assertThat(c.closedByServer(Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void unsupported_protocol_level_gets_connack_refusal() throws Exception {
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      c.sendRaw(new byte[] {0x10, 13, 0, 4, 'M', 'Q', 'T', 'T', 9, 2, 0, 60, 0, 1, 'x'});
      var all = c.drainUntilClosed(Duration.ofSeconds(5));
      assertThat(all).anySatisfy(m -> {
        assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK);
        assertThat(((MqttConnAckMessage) m).variableHeader().connectReturnCode().byteValue()).isEqualTo((byte) 0x01);
      });
    }
  }

  @Test
  void oversize_remaining_length_gets_0x95_in_v5() throws Exception {
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      c.connect("big", 5, true, 60);
      // PUBLISH with remaining length 200000 > 4KB limit
      c.sendRaw(new byte[] {0x30, (byte) 0xC0, (byte) 0x9A, 0x0C, 0, 1, 'a', 0});
      assertThat(disconnectReason(c.await(MqttMessageType.DISCONNECT, Duration.ofSeconds(5)))).isEqualTo((byte) 0x95);
      assertThat(c.closedByServer(Duration.ofSeconds(5))).isTrue();
    }
  }

  /** TCP connections the listener holds that are not (yet) MQTT sessions: the accepted-but-not-connected ones. */
  private static double halfOpen() {
    var gauge = gw.gateway().metrics().registry().find("estuary.mqtt.connections").gauge();
    return gauge.value() - gw.broker().connectedCount();
  }

  private static byte[] encode(MqttMessage m) {
    EmbeddedChannel enc = new EmbeddedChannel(MqttEncoder.INSTANCE);
    enc.writeOutbound(m);
    ByteBuf b = enc.readOutbound();
    byte[] bytes = ByteBufUtil.getBytes(b);
    b.release();
    enc.finishAndReleaseAll();
    return bytes;
  }

  @Test
  void truncated_packet_then_close_leaves_no_session() throws Exception {
    // a persistent MQTT 5 CONNECT: complete, it leaves a session behind after the client goes
    MqttProperties expiry = new MqttProperties();
    expiry.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), 300));
    byte[] connect = encode(MqttMessageBuilders.connect().clientId("truncated").protocolVersion(MqttVersion.MQTT_5)
        .cleanSession(false).properties(expiry).build());
    await().atMost(Duration.ofSeconds(10)).until(() -> halfOpen() == 0);
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      c.sendRaw(Arrays.copyOf(connect, connect.length - 1));
      // the listener holds the connection, waiting for the last byte
      await().atMost(Duration.ofSeconds(10)).until(() -> halfOpen() == 1);
    }
    // and lets go of it when the client leaves, without a session
    await().atMost(Duration.ofSeconds(10)).until(() -> halfOpen() == 0);
    assertThat(gw.broker().sessionView("truncated")).isNull();

    // the control: the same CONNECT, complete, does leave the session, so the checks above could fail
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      c.sendRaw(connect);
      assertThat(c.await(MqttMessageType.CONNACK, Duration.ofSeconds(5))).isNotNull();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> gw.broker().sessionView("truncated") != null
        && gw.broker().connectedCount() == 1);
    gw.broker().kick("truncated", true);
    await().atMost(Duration.ofSeconds(10)).until(() -> gw.broker().sessionView("truncated") == null);
  }

  @Test
  void packet_before_connect_closes_connection() throws Exception {
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      c.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0)));
      assertThat(c.closedByServer(Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void second_connect_is_a_protocol_error_0x82() throws Exception {
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      c.connect("twice", 5, true, 60);
      c.send(MqttMessageBuilders.connect().clientId("twice").protocolVersion(io.netty.handler.codec.mqtt.MqttVersion.MQTT_5).build());
      assertThat(disconnectReason(c.await(MqttMessageType.DISCONNECT, Duration.ofSeconds(5)))).isEqualTo((byte) 0x82);
    }
  }

  @Test
  void wildcard_in_publish_topic_is_0x90_in_v5() throws Exception {
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      c.connect("wild", 5, true, 60);
      c.publishUnchecked("a/+/b", new byte[] {1}, 5); // Netty's encoder refuses wildcards in a topic name
      var m = c.await(MqttMessageType.DISCONNECT, Duration.ofSeconds(5));
      if (m != null) {
        assertThat(disconnectReason(m)).isIn((byte) 0x90, (byte) 0x81);
      }
      assertThat(c.closedByServer(Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void invalid_utf8_topic_closes_connection() throws Exception {
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      c.connect("utf8", 4, true, 60);
      // PUBLISH QoS 0, topic length 3: 'a', 0xC3, 0x28 (invalid 2-byte sequence), payload 'x'
      c.sendRaw(new byte[] {0x30, 6, 0, 3, 'a', (byte) 0xC3, 0x28, 'x'});
      assertThat(c.closedByServer(Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void v311_empty_client_id_with_persistent_session_is_rejected() throws Exception {
    try (RawMqttClient c = new RawMqttClient(gw.mqttPort())) {
      MqttConnAckMessage ack = (MqttConnAckMessage) c.connect("", 4, false, 60);
      assertThat(ack.variableHeader().connectReturnCode().byteValue()).isEqualTo((byte) 0x02);
    }
  }
}
