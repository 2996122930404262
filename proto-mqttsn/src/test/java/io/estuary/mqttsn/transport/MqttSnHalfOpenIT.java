package io.estuary.mqttsn.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import io.estuary.api.Payload;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
import io.estuary.testkit.TestGateway;
import io.estuary.testkit.TestStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Half-open MQTT-SN clients on a plain UDP listener (issue #13, a SYN backlog for spoofed CONNECTs): a
 * client connected from a new address must send a second datagram within {@code half_open_timeout}, or
 * its channel closes and the session its CONNECT created is discarded; at most {@code max_half_open}
 * are half-open, a CONNECT beyond gets CONNACK congestion. Counted in {@code mqttsn.drops{reason=half_open_timeout}}
 * and {@code {reason=half_open_full}}.
 */
@Timeout(60)
class MqttSnHalfOpenIT extends MqttSnGatewayFixture {
  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  @Override
  protected TestGateway start(String hocon, TestStore store) {
    return super.start("gateway.mqttsn.listeners.udp.default.half_open_timeout = 1s\n" + hocon, store);
  }

  private long mqttsnSessions() {
    return gw.sessions().stream().filter(s -> s.protocol().equals("mqttsn")).count();
  }

  @Test
  void a_connect_never_followed_by_another_datagram_is_gone_after_half_open_timeout() {
    start("", null);
    try (MqttSnTestClient c = sn()) {
      c.connect("ho-silent", 60);
      assertThat(gw.session("ho-silent")).isNotNull();
      // connectionless traffic from the address is no proof: anyone sends it without hearing from us
      c.send(new SearchGw(0));
      c.expect(GwInfo.class);
      c.send(new Publish(false, -1, false, new TopicRef.Short("ho"), 0, Payload.utf8("qos -1")));
      c.send(new Connect(false, true, 60, "ho-silent")); // a retransmitted CONNECT neither
      assertThat(c.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      assertThat(mqttsnSessions()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(10)).until(() -> gw.session("ho-silent") == null);
      assertThat(mqttsnSessions()).isZero();
      assertThat(drops("half_open_timeout")).isEqualTo(1.0);
      // the channel closed without a datagram; what the client sends now finds no connection
      assertThat(c.poll(Duration.ofMillis(200))).isEmpty();
      c.send(new Publish(false, 1, false, new TopicRef.Predefined(1), 7, Payload.utf8("late")));
      await().atMost(Duration.ofSeconds(5)).until(() -> drops("no_session") == 1.0);
      assertThat(c.poll(Duration.ofMillis(200))).isEmpty();
    }
  }

  @Test
  void a_clean_session_false_half_open_session_is_discarded_and_does_not_come_back_at_restart() {
    TestStore store = TestStore.inMemory();
    start("", store);
    try (MqttSnTestClient c = sn()) {
      c.send(new Connect(false, false, 60, "ho-persist"));
      assertThat(c.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      assertThat(gw.session("ho-persist").persistent()).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> gw.session("ho-persist") == null);
      assertThat(drops("half_open_timeout")).isEqualTo(1.0);
      await().atMost(Duration.ofSeconds(5)).until(() ->
          gw.storedKeyValues("mqttsn-topic-ids-expiry").scan("").isEmpty());
    }
    gw.close();
    start("", store); // the same store: nothing of the discarded session was kept
    assertThat(gw.session("ho-persist")).isNull();
    // the same client id resuming from MQTT: the broker has no session to present
    Mqtt5BlockingClient mqtt = Mqtt5Client.builder().identifier("ho-persist").serverHost("127.0.0.1")
        .serverPort(gw.mqttPort()).buildBlocking();
    Mqtt5ConnAck ack = mqtt.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
    assertThat(ack.isSessionPresent()).isFalse();
    mqtt.disconnect();
  }

  @Test
  void a_second_datagram_promotes_the_client_which_keeps_working_past_the_timeout() {
    start("", null);
    try (MqttSnTestClient c = sn()) {
      c.connect("ho-proven", 60);
      c.send(new PingReq(""));
      c.expect(PingResp.class);
      await().during(TIMEOUT.multipliedBy(2)).atMost(TIMEOUT.multipliedBy(4))
          .until(() -> gw.session("ho-proven") != null);
      c.send(new Register(0, 1, "ho/topic"));
      Regack reg = c.expect(Regack.class);
      assertThat(reg.returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      c.send(new Publish(false, 1, false, new TopicRef.Id(reg.topicId()), 2, Payload.utf8("still here")));
      assertThat(c.expect(Puback.class)).isEqualTo(new Puback(reg.topicId(), 2, ReturnCode.ACCEPTED));
      assertThat(drops("half_open_timeout")).isZero();
    }
  }

  private double promoted(String by) {
    return gw.metrics().counter("mqttsn.half_open.promoted", "listener", "udp:default", "by", by).count();
  }

  @Test
  void a_publish_to_an_unregistered_topic_id_does_not_promote_and_the_session_is_discarded_at_the_timeout() {
    start("", null);
    try (MqttSnTestClient c = sn()) {
      c.send(new Connect(false, false, 60, "ho-spoof")); // clean = 0: it would outlive its connection
      assertThat(c.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      // what a spoofer's random datagram decodes as: a PUBLISH to a topic id this client never registered
      c.send(new Publish(false, 1, false, new TopicRef.Id(4711), 3, Payload.utf8("noise")));
      assertThat(c.expect(Puback.class).returnCode()).isEqualTo(ReturnCode.REJECTED_INVALID_TOPIC_ID);
      c.send(new Puback(4711, 9, ReturnCode.ACCEPTED)); // an acknowledgement of nothing the gateway sent neither
      await().atMost(Duration.ofSeconds(10)).until(() -> gw.session("ho-spoof") == null);
      assertThat(drops("half_open_timeout")).isEqualTo(1.0);
      assertThat(promoted("Publish")).isZero();
      assertThat(promoted("Puback")).isZero();
      assertThat(mqttsnSessions()).isZero();
    }
  }

  @Test
  void a_register_promotes_and_a_publish_to_the_registered_id_works_past_the_timeout() {
    start("", null);
    try (MqttSnTestClient c = sn()) {
      c.send(new Connect(false, false, 60, "ho-real"));
      assertThat(c.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      c.send(new Register(0, 1, "ho/real"));
      Regack reg = c.expect(Regack.class);
      assertThat(reg.returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      assertThat(promoted("Register")).isEqualTo(1.0);
      await().during(TIMEOUT.multipliedBy(2)).atMost(TIMEOUT.multipliedBy(4))
          .until(() -> gw.session("ho-real") != null);
      c.send(new Publish(false, 1, false, new TopicRef.Id(reg.topicId()), 2, Payload.utf8("proven")));
      assertThat(c.expect(Puback.class)).isEqualTo(new Puback(reg.topicId(), 2, ReturnCode.ACCEPTED));
      assertThat(drops("half_open_timeout")).isZero();
    }
  }

  @Test
  void a_publish_to_a_short_topic_name_promotes() {
    start("", null);
    try (MqttSnTestClient c = sn()) {
      c.connect("ho-short", 60);
      c.send(new Publish(false, 1, false, new TopicRef.Short("hs"), 5, Payload.utf8("short")));
      assertThat(c.expect(Puback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      assertThat(promoted("Publish")).isEqualTo(1.0);
      await().during(TIMEOUT.multipliedBy(2)).atMost(TIMEOUT.multipliedBy(4))
          .until(() -> gw.session("ho-short") != null);
    }
  }

  @Test
  void a_connect_of_another_client_id_from_a_half_open_address_discards_the_first_session_at_once() {
    start("gateway.mqttsn.listeners.udp.default.half_open_timeout = 30s", null);
    try (MqttSnTestClient c = sn()) {
      c.send(new Connect(false, false, 60, "ho-first")); // clean = 0
      assertThat(c.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      assertThat(gw.session("ho-first").persistent()).isTrue();
      c.send(new Connect(false, false, 60, "ho-second")); // a spoofer's next CONNECT from the same address
      assertThat(c.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      // gone long before the 30 s timeout, not kept as an offline persistent session
      await().atMost(Duration.ofSeconds(5)).until(() -> gw.session("ho-first") == null);
      assertThat(gw.metrics().counter("mqttsn.half_open.replaced", "listener", "udp:default").count()).isEqualTo(1.0);
      assertThat(gw.session("ho-second")).isNotNull();
      assertThat(mqttsnSessions()).isEqualTo(1);
    }
  }

  @Test
  void the_will_exchange_proves_the_address() {
    start("", null);
    try (MqttSnTestClient c = sn()) {
      c.send(new Connect(true, true, 60, "ho-will"));
      c.expect(WillTopicReq.class);
      c.send(new WillTopic(0, false, "ho/will"));
      c.expect(WillMsgReq.class);
      c.send(new WillMsg(Payload.utf8("bye")));
      assertThat(c.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      await().during(TIMEOUT.multipliedBy(2)).atMost(TIMEOUT.multipliedBy(4))
          .until(() -> gw.session("ho-will") != null);
      assertThat(drops("half_open_timeout")).isZero();
    }
  }

  @Test
  void a_connect_beyond_max_half_open_gets_connack_congestion_until_a_half_open_client_answers() {
    start("gateway.mqttsn.listeners.udp.default.half_open_timeout = 30s\n"
        + "gateway.mqttsn.listeners.udp.default.max_half_open = 2", null);
    try (MqttSnTestClient a = sn(); MqttSnTestClient b = sn(); MqttSnTestClient c = sn()) {
      a.connect("ho-a", 60);
      b.connect("ho-b", 60);
      c.send(new Connect(false, true, 60, "ho-c"));
      assertThat(c.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.REJECTED_CONGESTION);
      assertThat(drops("half_open_full")).isEqualTo(1.0);
      assertThat(gw.session("ho-c")).isNull();
      a.send(new PingReq("")); // a proves its address: one half-open slot is free
      a.expect(PingResp.class);
      c.connect("ho-c", 60);
      assertThat(drops("half_open_full")).isEqualTo(1.0);
    }
  }

  @Test
  void a_resumed_persistent_session_is_not_dropped_by_the_half_open_timeout() {
    start("", null);
    try (MqttSnTestClient first = sn()) {
      first.send(new Connect(false, false, 60, "ho-resume"));
      assertThat(first.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      first.send(new Subscribe(false, 1, 1, new TopicRef.Name("ho/resume")));
      assertThat(first.expect(Suback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      first.send(Disconnect.plain()); // a subscriber leaves: its persistent session stays
      first.expect(Disconnect.class);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> gw.session("ho-resume") != null
        && !gw.session("ho-resume").state().equals("connected"));
    try (MqttSnTestClient again = sn()) { // a new port: a new address for the listener
      again.send(new Connect(false, false, 60, "ho-resume"));
      assertThat(again.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      await().during(TIMEOUT.multipliedBy(2)).atMost(TIMEOUT.multipliedBy(4))
          .until(() -> gw.session("ho-resume") != null && gw.session("ho-resume").state().equals("connected"));
      assertThat(drops("half_open_timeout")).isZero();
      again.send(new PingReq(""));
      again.expect(PingResp.class);
    }
  }

  @Test
  void a_node_behind_a_forwarder_is_half_open_on_its_own() {
    start("", null);
    Payload node1 = Payload.copyOf(new byte[] {1});
    Payload node2 = Payload.copyOf(new byte[] {2});
    try (MqttSnTestClient fwd = sn()) {
      fwd.send(new Encapsulated(0, node1, new Connect(false, true, 60, "ho-node1")));
      assertThat(fwd.expect(Encapsulated.class)).isEqualTo(new Encapsulated(0, node1, new Connack(ReturnCode.ACCEPTED)));
      fwd.send(new Encapsulated(0, node2, new Connect(false, true, 60, "ho-node2")));
      assertThat(fwd.expect(Encapsulated.class)).isEqualTo(new Encapsulated(0, node2, new Connack(ReturnCode.ACCEPTED)));
      fwd.send(new Encapsulated(0, node1, new PingReq(""))); // node 1 answers through the forwarder
      assertThat(fwd.expect(Encapsulated.class)).isEqualTo(new Encapsulated(0, node1, new PingResp()));
      await().atMost(Duration.ofSeconds(10)).until(() -> gw.session("ho-node2") == null);
      assertThat(gw.session("ho-node1")).isNotNull();
      assertThat(drops("half_open_timeout")).isEqualTo(1.0);
    }
  }
}
