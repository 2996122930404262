package io.estuary.mqttsn.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.estuary.api.Payload;
import io.estuary.mqttsn.codec.MqttSnCodec;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
import io.estuary.testkit.TestGateway;
import io.estuary.testkit.TestStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A persistent ({@code clean_session = false}) session that a plain-UDP CONNECT created is kept offline after a
 * connection that ended without DISCONNECT (or with one, if it never subscribed) only if its client echoed a value
 * the gateway chose at random — the topic id REGACK gave it, used in a PUBLISH, or the message id of a gateway
 * PUBLISH/REGISTER, in its PUBACK or REGACK (issue #13, {@code discard_unproven_sessions}). A blind spoofer's valid follow-ups (PINGREQ, a PUBLISH
 * to a short topic name) promote the half-open channel but prove nothing: its session is discarded at the
 * keepalive timeout, counted as {@code mqttsn.drops{reason=unproven_session}}.
 */
@Timeout(60)
class MqttSnEchoProofIT extends MqttSnGatewayFixture {
  /** A keepalive of 2 s is lost after 3 s of silence (keepalive_multiplier 1.5). */
  private static final int KEEPALIVE = 2;

  @Override
  protected TestGateway start(String hocon, TestStore store) {
    return super.start("gateway.mqttsn.min_keepalive = 0s\n" + hocon, store);
  }

  private double proven(String by) {
    return gw.metrics().counter("mqttsn.proven", "listener", "udp:default", "by", by).count();
  }

  private double promoted(String by) {
    return gw.metrics().counter("mqttsn.half_open.promoted", "listener", "udp:default", "by", by).count();
  }

  private static void connectPersistent(MqttSnTestClient c, String clientId) {
    connectPersistent(c, clientId, KEEPALIVE);
  }

  @Test
  void a_persistent_session_promoted_by_a_ping_and_a_short_topic_publish_but_never_proven_is_discarded_at_keepalive() {
    start("");
    try (MqttSnTestClient c = sn()) {
      connectPersistent(c, "ep-spoof");
      c.send(new PingReq(""));
      c.expect(PingResp.class);
      c.send(new Publish(false, 1, false, new TopicRef.Short("ep"), 5, Payload.utf8("blind")));
      assertThat(c.expect(Puback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      assertThat(promoted("PingReq")).isEqualTo(1.0);
      assertThat(gw.session("ep-spoof").persistent()).isTrue();
      // silent now: lost at the keepalive, and never proven, so not kept offline
      await().atMost(Duration.ofSeconds(15)).until(() -> gw.session("ep-spoof") == null);
      assertThat(drops("unproven_session")).isEqualTo(1.0);
      assertThat(drops("half_open_timeout")).isZero();
      assertThat(proven("Publish") + proven("Puback") + proven("Regack")).isZero();
    }
  }

  @Test
  void a_persistent_client_that_publishes_with_the_id_its_regack_gave_keeps_its_session_offline() {
    start("");
    try (MqttSnTestClient c = sn()) {
      connectPersistent(c, "ep-publisher");
      c.send(new Register(0, 1, "ep/pub"));
      Regack regack = c.expect(Regack.class);
      assertThat(regack.returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      c.send(new Publish(false, 1, false, new TopicRef.Id(regack.topicId()), 2, Payload.utf8("real")));
      assertThat(c.expect(Puback.class)).isEqualTo(new Puback(regack.topicId(), 2, ReturnCode.ACCEPTED));
      assertThat(proven("Publish")).isEqualTo(1.0);
      await().atMost(Duration.ofSeconds(15)).until(() -> "disconnected".equals(gw.session("ep-publisher").state()));
      assertThat(gw.session("ep-publisher").persistent()).isTrue();
      assertThat(drops("unproven_session")).isZero();
    }
  }

  @Test
  void a_persistent_subscriber_that_acknowledges_a_delivery_keeps_its_session_offline() throws Exception {
    start("");
    Mqtt5BlockingClient mqtt = Mqtt5Client.builder().identifier("ep-mqtt").serverHost("127.0.0.1")
        .serverPort(gw.mqttPort()).buildBlocking();
    mqtt.connect();
    try (MqttSnTestClient c = sn()) {
      connectPersistent(c, "ep-subscriber");
      c.send(new Subscribe(false, 1, 1, new TopicRef.Name("ep/cmd")));
      Suback suback = c.expect(Suback.class);
      assertThat(suback.returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      mqtt.publishWith().topic("ep/cmd").qos(MqttQos.AT_LEAST_ONCE).payload("go".getBytes()).send();
      Publish delivery = c.expect(Publish.class);
      c.send(new Puback(MqttSnCodec.topicIdField(delivery.topic()), delivery.msgId(), ReturnCode.ACCEPTED));
      await().atMost(Duration.ofSeconds(5)).until(() -> proven("Puback") == 1.0);
      await().atMost(Duration.ofSeconds(15)).until(() -> "disconnected".equals(gw.session("ep-subscriber").state()));
      assertThat(gw.session("ep-subscriber").subscriptions()).isEqualTo(1);
      assertThat(drops("unproven_session")).isZero();
    } finally {
      mqtt.disconnect();
    }
  }

  @Test
  void a_persistent_client_that_answers_a_gateway_register_keeps_its_session_offline() throws Exception {
    start("");
    Mqtt5BlockingClient mqtt = Mqtt5Client.builder().identifier("ep-mqtt2").serverHost("127.0.0.1")
        .serverPort(gw.mqttPort()).buildBlocking();
    mqtt.connect();
    try (MqttSnTestClient c = sn()) {
      connectPersistent(c, "ep-wildcard");
      c.send(new Subscribe(false, 0, 1, new TopicRef.Name("ep/wild/#")));
      assertThat(c.expect(Suback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      mqtt.publishWith().topic("ep/wild/a").qos(MqttQos.AT_MOST_ONCE).payload("x".getBytes()).send();
      Register reg = c.expect(Register.class);
      c.send(new Regack(reg.topicId(), reg.msgId(), ReturnCode.ACCEPTED));
      assertThat(c.expect(Publish.class).qos()).isZero();
      assertThat(proven("Regack")).isEqualTo(1.0);
      await().atMost(Duration.ofSeconds(15)).until(() -> "disconnected".equals(gw.session("ep-wildcard").state()));
      assertThat(drops("unproven_session")).isZero();
    } finally {
      mqtt.disconnect();
    }
  }

  @Test
  void an_unproven_persistent_subscriber_that_disconnects_keeps_its_session_offline() {
    start("");
    try (MqttSnTestClient c = sn()) {
      connectPersistent(c, "ep-bye");
      c.send(new Subscribe(false, 1, 7, new TopicRef.Name("ep/bye/#")));
      assertThat(c.expect(Suback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      c.send(Disconnect.plain());
      c.expect(Disconnect.class);
      await().atMost(Duration.ofSeconds(5)).until(() -> "disconnected".equals(gw.session("ep-bye").state()));
      assertThat(gw.session("ep-bye").persistent()).isTrue();
      assertThat(drops("unproven_session")).isZero();
    }
  }

  @Test
  void an_unproven_persistent_client_that_never_subscribed_leaves_no_session_when_it_disconnects() {
    start("");
    try (MqttSnTestClient c = sn()) {
      // what a blind spoofer (or flood garbage decoding as DISCONNECT) does: CONNECT, then DISCONNECT
      connectPersistent(c, "ep-gone");
      c.send(new PingReq(""));
      c.expect(PingResp.class);
      c.send(Disconnect.plain());
      c.expect(Disconnect.class); // the DISCONNECT is answered as always
      await().atMost(Duration.ofSeconds(5)).until(() -> gw.session("ep-gone") == null);
      assertThat(drops("unproven_session")).isEqualTo(1.0);
    }
  }

  @Test
  void with_discard_unproven_sessions_off_an_unproven_persistent_session_stays_offline_as_before() {
    start("gateway.mqttsn.listeners.udp.default.discard_unproven_sessions = false\n");
    try (MqttSnTestClient c = sn()) {
      connectPersistent(c, "ep-kept");
      c.send(new PingReq(""));
      c.expect(PingResp.class);
      await().atMost(Duration.ofSeconds(15)).until(() -> "disconnected".equals(gw.session("ep-kept").state()));
      assertThat(gw.session("ep-kept").persistent()).isTrue();
      assertThat(drops("unproven_session")).isZero();
    }
  }

  @Test
  void a_resumed_persistent_session_is_kept_whether_or_not_this_connection_proved_anything() {
    start("");
    try (MqttSnTestClient c = sn()) {
      connectPersistent(c, "ep-resume");
      c.send(new Register(0, 1, "ep/resume"));
      int id = c.expect(Regack.class).topicId();
      c.send(new Publish(false, 0, false, new TopicRef.Id(id), 0, Payload.utf8("proof")));
      c.send(Disconnect.plain());
      c.expect(Disconnect.class);
    }
    try (MqttSnTestClient c = sn()) { // a new port: a new channel, the session resumed
      connectPersistent(c, "ep-resume");
      c.send(new PingReq(""));
      c.expect(PingResp.class);
      await().atMost(Duration.ofSeconds(15)).until(() -> "disconnected".equals(gw.session("ep-resume").state()));
      assertThat(drops("unproven_session")).isZero();
    }
  }
  @Test
  void an_unproven_persistent_subscriber_that_misses_its_wake_up_leaves_no_session() {
    start("");
    try (MqttSnTestClient c = sn()) {
      connectPersistent(c, "ep-sleeper");
      c.send(new Subscribe(false, 1, 3, new TopicRef.Name("ep/sleep/#")));
      assertThat(c.expect(Suback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      c.send(Disconnect.sleep(1)); // and never wakes: lost after 1.5 s
      c.expect(Disconnect.class);
      await().atMost(Duration.ofSeconds(15)).until(() -> gw.session("ep-sleeper") == null);
      assertThat(drops("unproven_session")).isEqualTo(1.0);
    }
  }

  @Test
  void beyond_max_unproven_the_oldest_unproven_client_is_disconnected_and_its_session_discarded() {
    start("gateway.mqttsn.listeners.udp.default.max_unproven = 2\n");
    try (MqttSnTestClient real = sn(); MqttSnTestClient s1 = sn(); MqttSnTestClient s2 = sn();
        MqttSnTestClient s3 = sn()) {
      connectPersistent(real, "ep-real");
      real.send(new Register(0, 1, "ep/real"));
      Regack regack = real.expect(Regack.class);
      real.send(new Publish(false, 1, false, new TopicRef.Id(regack.topicId()), 2, Payload.utf8("real")));
      real.expect(Puback.class);
      // what a blind spoofer can do: CONNECT, then a DISCONNECT asking for the longest sleep (27 h with the multiplier)
      for (MqttSnTestClient s : new MqttSnTestClient[] {s1, s2}) {
        s.send(new Connect(false, false, 65535, "ep-s" + (s == s1 ? 1 : 2)));
        s.expect(Connack.class);
        s.send(Disconnect.sleep(65535));
        s.expect(Disconnect.class);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> "asleep".equals(gw.session("ep-s2").state()));
      s3.send(new Connect(false, false, 65535, "ep-s3"));
      s3.expect(Connack.class);
      s3.send(new PingReq(""));
      s3.expect(PingResp.class);
      assertThat(s1.expect(Disconnect.class)).as("the oldest unproven client hears why").isEqualTo(Disconnect.plain());
      await().atMost(Duration.ofSeconds(5)).until(() -> gw.session("ep-s1") == null);
      assertThat(drops("max_unproven")).isEqualTo(1.0);
      assertThat(gw.session("ep-s2").state()).isEqualTo("asleep");
      assertThat(gw.session("ep-s3").state()).isEqualTo("connected");
      real.send(new PingReq(""));
      real.expect(PingResp.class);
      assertThat(gw.session("ep-real").state()).isEqualTo("connected");
      assertThat(proven("Publish")).isEqualTo(1.0);
    }
  }
  @Test
  void unproven_subscribers_kept_offline_by_a_disconnect_stop_at_max_unproven_a_proven_one_is_always_kept() {
    start("gateway.mqttsn.listeners.udp.default.max_unproven = 1\n");
    String[] ids = {"ep-keep1", "ep-keep2", "ep-keep3"};
    for (String id : ids) {
      try (MqttSnTestClient c = sn()) {
        connectPersistent(c, id);
        if (id.equals("ep-keep3")) { // proves its address: the REGACK's id in a PUBLISH
          c.send(new Register(0, 1, "ep/keep3"));
          Regack regack = c.expect(Regack.class);
          c.send(new Publish(false, 1, false, new TopicRef.Id(regack.topicId()), 2, Payload.utf8("me")));
          c.expect(Puback.class);
        }
        c.send(new Subscribe(false, 1, 4, new TopicRef.Name("ep/keep/#")));
        assertThat(c.expect(Suback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
        c.send(Disconnect.plain());
        c.expect(Disconnect.class);
      }
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> gw.session("ep-keep2") == null);
    assertThat(drops("max_unproven")).isEqualTo(1.0);
    assertThat(gw.session("ep-keep1").state()).isEqualTo("disconnected");
    assertThat(gw.session("ep-keep1").subscriptions()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> "disconnected".equals(gw.session("ep-keep3").state()));
    assertThat(gw.session("ep-keep3").subscriptions()).isEqualTo(1);
    assertThat(drops("unproven_session")).isZero();
  }
  @Test
  void at_shutdown_an_unproven_session_holding_nothing_is_discarded_and_a_subscribers_is_kept_for_the_restart() {
    TestStore store = TestStore.inMemory();
    start("", store);
    try (MqttSnTestClient blind = sn(); MqttSnTestClient sub = sn()) {
      blind.send(new Connect(false, false, 600, "ep-blind")); // what a blind spoofer can do: CONNECT, PINGREQ
      assertThat(blind.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      blind.send(new PingReq(""));
      blind.expect(PingResp.class);
      sub.send(new Connect(false, false, 600, "ep-sub"));
      assertThat(sub.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      sub.send(new Subscribe(false, 1, 1, new TopicRef.Name("ep/sub/#")));
      assertThat(sub.expect(Suback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      assertThat(gw.session("ep-blind").persistent()).isTrue();
      gw.close();
      assertThat(blind.expect(Disconnect.class)).as("the shutdown is announced as always").isEqualTo(Disconnect.plain());
    }
    start("", store);
    assertThat(gw.session("ep-blind")).as("a persistent session that held nothing").isNull();
    assertThat(gw.session("ep-sub").subscriptions()).as("an unproven subscriber's, kept").isEqualTo(1);
  }
  @Test
  void the_places_of_unproven_sessions_kept_offline_survive_a_restart_with_their_sessions() {
    TestStore store = TestStore.inMemory();
    String cap = "gateway.mqttsn.listeners.udp.default.max_unproven = 1\n";
    start(cap, store);
    subscribeAndLeave("ep-before", KEEPALIVE, "ep/before/#");
    await().atMost(Duration.ofSeconds(5)).until(() -> "disconnected".equals(gw.session("ep-before").state()));
    gw.close();
    start(cap, store);
    assertThat(gw.session("ep-before").subscriptions()).as("kept, with its place").isEqualTo(1);
    // the place is taken: the next unproven subscriber's session goes at DISCONNECT
    subscribeAndLeave("ep-after", KEEPALIVE, "ep/after/#");
    await().atMost(Duration.ofSeconds(5)).until(() -> gw.session("ep-after") == null);
    assertThat(drops("max_unproven")).isEqualTo(1.0);
    assertThat(gw.session("ep-before").subscriptions()).isEqualTo(1);
    assertThat(gw.storedKeyValues("mqttsn-unproven-offline").scan("udp:default|").keySet())
        .containsExactly("udp:default|ep-before");
    gw.close();
    start("gateway.mqttsn.listeners.udp.default.discard_unproven_sessions = false\n", store); // the proof turned off
    assertThat(gw.storedKeyValues("mqttsn-unproven-offline").scan("udp:default|")).as("its places are garbage now")
        .isEmpty();
  }

  @Test
  void the_stored_places_of_a_listener_no_longer_configured_are_deleted_at_start_and_the_others_kept() {
    TestStore store = TestStore.inMemory();
    String cap = "gateway.mqttsn.listeners.udp.default.max_unproven = 1\n";
    start(cap, store);
    // a real kept-offline place of the configured listener
    subscribeAndLeave("ep-kept", KEEPALIVE, "ep/kept/#");
    await().atMost(Duration.ofSeconds(5)).until(() -> "disconnected".equals(gw.session("ep-kept").state()));
    var places = gw.storedKeyValues("mqttsn-unproven-offline");
    byte[] later = Long.toString(System.currentTimeMillis() + 3_600_000).getBytes(StandardCharsets.UTF_8);
    places.put("udp:renamed|ep-1", later); // what a listener since renamed or removed left
    places.put("udp:renamed|ep-2", later);
    places.put("udp:default-old|ep-3", later); // a name the configured one is a prefix of
    places.put("udp:defaul", later); // no listener part at all: deleted on its own, not as a prefix
    gw.close();
    start(cap, store);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> gw.storedKeyValues("mqttsn-unproven-offline").scan("udp:renamed|").isEmpty());
    assertThat(gw.storedKeyValues("mqttsn-unproven-offline").scan("udp:").keySet()).containsExactly("udp:default|ep-kept");
  }

  @Test
  void a_repeated_connect_does_not_turn_an_unproven_session_into_a_resumed_one_that_escapes_max_unproven() {
    start("gateway.mqttsn.listeners.udp.default.max_unproven = 1\n");
    try (MqttSnTestClient s1 = sn(); MqttSnTestClient s2 = sn()) {
      for (int i = 0; i < 2; i++) { // the second CONNECT would resume the first's session
        s1.send(new Connect(false, false, 65535, "ep-twice"));
        assertThat(s1.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
        s1.send(new PingReq(""));
        s1.expect(PingResp.class);
      }
      assertThat(drops("unproven_session")).as("the first session held nothing: gone at the re-CONNECT").isEqualTo(1.0);
      s2.send(new Connect(false, false, 65535, "ep-next"));
      s2.expect(Connack.class);
      s2.send(new PingReq(""));
      s2.expect(PingResp.class);
      assertThat(s1.expect(Disconnect.class)).as("still the oldest unproven client").isEqualTo(Disconnect.plain());
      await().atMost(Duration.ofSeconds(5)).until(() -> gw.session("ep-twice") == null);
      assertThat(drops("max_unproven")).isEqualTo(1.0);
    }
  }
}
