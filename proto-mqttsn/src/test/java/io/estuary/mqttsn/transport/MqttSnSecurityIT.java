package io.estuary.mqttsn.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.estuary.api.Payload;
import io.estuary.mqttsn.MqttSnAdapterFactory;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
import io.estuary.testkit.TestGateway;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #12's MQTT-SN attacks, as a hostile LAN client on plain UDP would try them with a raw client:
 * superuser impersonation, hijacking a live or sleeping client from another address, wildcard will topics
 * and retained messages set by connectionless QoS −1 publishes. Each is refused with MQTT-SN's answer and
 * counted in {@code mqttsn.drops}; the victim keeps working.
 */
@Timeout(60)
class MqttSnSecurityIT {
  static TestGateway gw;
  static InetSocketAddress udp;
  static InetSocketAddress roam;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder()
        .config("""
            authentication {
              allow_anonymous = true
              users = [{ username = "gw-site1", password = "site-secret", superuser = true }]
              # the first release's default, set on purpose: a user with a password still needs it
              passwordless_protocols = ["mqttsn"]
            }
            gateway.mqttsn {
              listeners.udp.default.bind = "127.0.0.1:0"
              listeners.udp.roam { bind = "127.0.0.1:0", wakeup_from_new_address = true }
              predefined = [{id = 7, topic = "pre/seven"}]
            }
            """)
        .adapter(new MqttSnAdapterFactory())
        .start();
    udp = gw.listener("mqttsn", "udp:default");
    roam = gw.listener("mqttsn", "udp:roam");
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static double drops(String reason) {
    return gw.metrics().counter("mqttsn.drops", "reason", reason).count();
  }

  static Mqtt5BlockingClient mqtt(String id) {
    Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    c.connect();
    return c;
  }

  @Test
  void a_client_id_with_a_wildcard_is_refused_by_the_core_and_answered_not_supported() {
    try (MqttSnTestClient c = new MqttSnTestClient(udp)) {
      c.send(new Connect(false, true, 60, "dev+1"));
      assertThat(c.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.REJECTED_NOT_SUPPORTED);
      assertThat(gw.session("dev+1")).isNull();
    }
  }

  @Test
  void a_reserved_dollar_client_id_cannot_open_or_take_over_a_gateway_session() {
    try (MqttSnTestClient c = new MqttSnTestClient(udp)) {
      c.send(new Connect(false, true, 60, "$uplink/cloud"));
      assertThat(c.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.REJECTED_NOT_SUPPORTED);
      assertThat(gw.session("$uplink/cloud")).isNull();
    }
  }

  @Test
  void a_connect_as_the_superuser_without_its_password_is_refused_even_when_mqttsn_is_passwordless() {
    try (MqttSnTestClient thief = new MqttSnTestClient(udp)) {
      thief.send(new Connect(false, true, 60, "gw-site1"));
      assertThat(thief.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.REJECTED_NOT_SUPPORTED);
      assertThat(gw.session("gw-site1")).isNull();
    }
  }

  @Test
  void a_pingreq_with_a_live_clients_id_from_another_address_is_refused_and_the_victim_keeps_its_channel() {
    Mqtt5BlockingClient mq = mqtt("mq-hijack");
    double before = drops("address_in_use");
    try (MqttSnTestClient victim = new MqttSnTestClient(udp); MqttSnTestClient thief = new MqttSnTestClient(udp)) {
      victim.connect("sn-victim", 60);
      victim.send(new Subscribe(false, 0, 1, new TopicRef.Short("vx")));
      assertThat(victim.expect(Suback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);

      thief.send(new PingReq("sn-victim"));
      assertThat(thief.receive()).as("the thief is told it has no connection here").isEqualTo(Disconnect.plain());
      await().atMost(Duration.ofSeconds(5)).until(() -> drops("address_in_use") > before);

      mq.publishWith().topic("vx").payload("for the victim".getBytes()).send();
      assertThat(victim.expect(Publish.class).data()).isEqualTo(Payload.utf8("for the victim"));
      assertThat(thief.poll(Duration.ofMillis(300))).isEmpty();
      victim.send(new PingReq(""));
      victim.expect(PingResp.class);
    } finally {
      mq.disconnect();
    }
  }

  @Test
  void a_connect_with_a_live_clients_id_from_another_address_is_refused_and_the_session_stays() {
    try (MqttSnTestClient victim = new MqttSnTestClient(udp); MqttSnTestClient thief = new MqttSnTestClient(udp)) {
      victim.connect("sn-victim2", 60);
      thief.send(new Connect(false, true, 60, "sn-victim2"));
      // 0x01 "congestion": the id is busy at another address, a returning device retries later (§6.2)
      assertThat(thief.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.REJECTED_CONGESTION);
      victim.send(new PingReq(""));
      victim.expect(PingResp.class);
      assertThat(gw.session("sn-victim2").peer()).contains(String.valueOf(victim.localPort()));
    }
  }

  @Test
  void a_sleeping_client_cannot_be_woken_from_a_new_address_unless_the_listener_allows_it() {
    try (MqttSnTestClient victim = new MqttSnTestClient(udp); MqttSnTestClient thief = new MqttSnTestClient(udp)) {
      victim.connect("sn-sleeper", 60);
      victim.send(Disconnect.sleep(60));
      victim.expect(Disconnect.class);
      thief.send(new PingReq("sn-sleeper"));
      assertThat(thief.receive()).isEqualTo(Disconnect.plain());
      victim.send(new PingReq("sn-sleeper")); // the sleeper itself, from its own address, wakes up
      victim.expect(PingResp.class);
    }
  }

  @Test
  void a_sleeping_client_wakes_from_a_new_port_where_the_listener_allows_it() {
    try (MqttSnTestClient c = new MqttSnTestClient(roam)) {
      c.connect("sn-roamer", 60);
      c.send(Disconnect.sleep(60));
      c.expect(Disconnect.class);
      c.newPort();
      c.send(new PingReq("sn-roamer"));
      c.expect(PingResp.class);
    }
  }

  @Test
  void a_wildcard_will_topic_is_refused_with_invalid_topic() {
    try (MqttSnTestClient c = new MqttSnTestClient(udp)) {
      c.send(new Connect(true, true, 60, "sn-will-wild"));
      c.expect(WillTopicReq.class);
      c.send(new WillTopic(0, false, "devices/#"));
      assertThat(c.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.REJECTED_INVALID_TOPIC_ID);
      assertThat(gw.session("sn-will-wild")).isNull();

      c.connect("sn-will-upd", 60);
      c.send(new WillTopicUpd(0, false, "devices/+/state"));
      assertThat(c.expect(WillTopicResp.class).returnCode()).isEqualTo(ReturnCode.REJECTED_INVALID_TOPIC_ID);
    }
  }

  @Test
  void a_connectionless_qos_minus_one_publish_cannot_set_a_retained_message() throws Exception {
    double before = drops("qos3_retain");
    try (MqttSnTestClient spoofer = new MqttSnTestClient(udp)) {
      spoofer.send(new Publish(false, -1, true, new TopicRef.Predefined(7), 0, Payload.utf8("forged")));
      await().atMost(Duration.ofSeconds(5)).until(() -> drops("qos3_retain") > before);
    }
    Mqtt5BlockingClient mq = mqtt("mq-retain");
    try (var publishes = mq.publishes(MqttGlobalPublishFilter.ALL)) {
      mq.subscribeWith().topicFilter("pre/seven").send();
      assertThat(publishes.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
    } finally {
      mq.disconnect();
    }
  }
}
