package io.estuary.mqtt.security;

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
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.estuary.testkit.ExternalPeers;
import io.estuary.testkit.RawMqttClient;
import java.time.Duration;
import io.estuary.testkit.TestGateway;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue #12: client ids with wildcards, NUL or '$' are refused; a session belongs to the identity that created it. */
@Timeout(60)
class MqttIdentityIT {
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().config("""
        authentication {
          allow_anonymous = true
          users = [
            { username = "alice", password = "a" }
            { username = "bob", password = "b" }
            { username = "root", password = "r", superuser = true }
          ]
        }
        authorization {
          no_match = allow
          rules = [
            { permission = allow, who = "all", action = all, topics = ["devices/${clientid}/#"] }
            { permission = deny, who = "all", action = all, topics = ["devices/#"] }
          ]
        }
        """).start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static Mqtt5BlockingClient v5(String id) {
    return Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
  }

  static Mqtt3BlockingClient v3(String id) {
    return Mqtt3Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a+b", "#", "+", "$x", "bell\u0007"})
  void invalid_or_reserved_client_id_is_refused_with_0x85_in_v5(String id) {
    var e = catchThrowableOfType(() -> v5(id).connect(), Mqtt5ConnAckException.class);
    assertThat(e).as("CONNACK refusal for %s", id).isNotNull();
    assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
    assertThat(gw.broker().sessionView(id)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a+b", "#", "+", "$x", "tab\tid"})
  void invalid_or_reserved_client_id_is_refused_with_identifier_rejected_in_v311(String id) {
    var e = catchThrowableOfType(() -> v3(id).connect(), Mqtt3ConnAckException.class);
    assertThat(e).as("CONNACK refusal for %s", id).isNotNull();
    assertThat(e.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.IDENTIFIER_REJECTED);
  }

  /**
   * hivemq-mqtt-client will not send a NUL; a raw client does. A UTF-8 string holding U+0000 makes the packet
   * malformed (MQTT 3.1.1 §1.5.3, MQTT 5 §1.5.4), which Netty's decoder enforces since 4.1.13x: the server closes
   * the connection without a CONNACK (before, the client id check answered 0x02 / 0x85), and no session exists.
   */
  @ParameterizedTest
  @ValueSource(ints = {4, 5})
  void a_client_id_with_NUL_is_refused_as_a_malformed_packet(int version) throws Exception {
    try (RawMqttClient raw = new RawMqttClient(gw.mqttPort())) {
      Throwable refused = catchThrowableOfType(() -> raw.connectUnchecked("nul\u0000id", version, 30), java.io.IOException.class);
      assertThat(refused).as("the server closes the connection instead of answering").isNotNull()
          .hasMessageContaining("closed by the server");
    }
    assertThat(gw.session("nul\u0000id")).isNull();
  }

  @Test
  void client_id_plus_cannot_read_other_devices_through_the_clientid_placeholder() {
    // before the fix: id "+" connected, and devices/${clientid}/# became devices/+/#
    var e = catchThrowableOfType(() -> {
      var thief = v5("+");
      thief.connect();
      thief.subscribeWith().topicFilter("devices/+/#").send();
    }, Mqtt5ConnAckException.class);
    assertThat(e).isNotNull();
    assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
  }

  @Test
  void mosquitto_sub_with_a_wildcard_client_id_is_told_identifier_rejected() throws Exception {
    ExternalPeers.require(Files.isExecutable(Path.of("/usr/bin/mosquitto_sub")), "mosquitto-clients not installed");
    for (String version : new String[] {"mqttv5", "mqttv311"}) {
      Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(gw.mqttPort()), "-V", version,
          "-i", "dev+1", "-t", "x", "-C", "1", "-W", "10").redirectErrorStream(true).start();
      assertThat(sub.waitFor(20, TimeUnit.SECONDS)).isTrue();
      String out = new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(sub.exitValue()).as(out).isNotZero();
      assertThat(out).as(version).containsIgnoringCase(version.equals("mqttv5") ? "Client Identifier not valid" : "identifier rejected");
    }
  }

  static void connectAs(Mqtt5BlockingClient c, String user, String password, boolean cleanStart) {
    c.connectWith().cleanStart(cleanStart).sessionExpiryInterval(300)
        .simpleAuth().username(user).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
  }

  @Test
  void another_username_cannot_take_over_or_wipe_a_persistent_session_but_its_owner_resumes_it() throws Exception {
    var owner = v5("meter-7");
    connectAs(owner, "alice", "a", true);
    owner.subscribeWith().topicFilter("plant/meter-7").qos(MqttQos.AT_LEAST_ONCE).send();
    owner.disconnect();
    var pub = v5("meter-7-pub");
    pub.connect();
    pub.publishWith().topic("plant/meter-7").qos(MqttQos.AT_LEAST_ONCE).payload("queued".getBytes()).send();
    pub.disconnect();
    await().until(() -> gw.broker().sessionView("meter-7").queued() == 1);

    var thief = v5("meter-7");
    var e = catchThrowableOfType(() -> connectAs(thief, "bob", "b", true), Mqtt5ConnAckException.class);
    assertThat(e).isNotNull();
    assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    var anonymous = catchThrowableOfType(() -> v5("meter-7").connectWith().cleanStart(false).send(), Mqtt5ConnAckException.class);
    assertThat(anonymous).isNotNull();
    assertThat(anonymous.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    var e3 = catchThrowableOfType(() -> v3("meter-7").connectWith().cleanSession(false).simpleAuth().username("bob")
        .password("b".getBytes()).applySimpleAuth().send(), Mqtt3ConnAckException.class);
    assertThat(e3).isNotNull();
    assertThat(e3.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
    assertThat(gw.broker().sessionView("meter-7").queued()).as("the refused clean start wiped nothing").isEqualTo(1);

    try (var publishes = owner.publishes(MqttGlobalPublishFilter.ALL)) {
      owner.connectWith().cleanStart(false).sessionExpiryInterval(300)
          .simpleAuth().username("alice").password("a".getBytes()).applySimpleAuth().send();
      assertThat(new String(publishes.receive(10, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes())).isEqualTo("queued");
    }
    owner.disconnect();
  }

  @Test
  void a_superuser_may_take_over_a_live_session_of_another_user() {
    var owner = v5("pump-3");
    connectAs(owner, "alice", "a", true);
    var root = v5("pump-3");
    connectAs(root, "root", "r", false);
    await().until(() -> !owner.getState().isConnected());
    assertThat(gw.broker().sessionView("pump-3").username()).isEqualTo("root");
    root.disconnect();
  }
}
