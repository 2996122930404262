package io.estuary.mqtt.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.testkit.ExternalPeers;
import io.estuary.testkit.TestGateway;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue #12: deny rules hold on delivery (live, retained, queued offline), and $SYS is the broker's alone. */
@Timeout(60)
class MqttAclDeliveryIT {
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().config("""
        authentication {
          allow_anonymous = true
          users = [{ username = "root", password = "r", superuser = true }]
        }
        authorization {
          no_match = allow
          rules = [{ permission = deny, who = "all", action = subscribe, topics = ["secret/#"] }]
        }
        """).start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static Mqtt5BlockingClient connected(String id) {
    var c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    c.connect();
    return c;
  }

  static void publish(Mqtt5BlockingClient c, String topic, String payload, boolean retain) {
    c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).retain(retain).payload(payload.getBytes(StandardCharsets.UTF_8)).send();
  }

  /** Topics received until (and including) the one on {@code last}. */
  static List<String> until(Mqtt5BlockingClient.Mqtt5Publishes publishes, String last) throws InterruptedException {
    List<String> topics = new ArrayList<>();
    while (topics.isEmpty() || !topics.get(topics.size() - 1).equals(last)) {
      Mqtt5Publish p = publishes.receive(10, TimeUnit.SECONDS).orElseThrow(() -> new AssertionError("nothing on " + last + " after " + topics));
      topics.add(p.getTopic().toString());
    }
    return topics;
  }

  double deliveryDenials() {
    return gw.metrics().counter("acl.denied", "action", "deliver").count();
  }

  @Test
  void a_hash_subscriber_never_receives_a_message_on_a_denied_topic() throws Exception {
    var sub = connected("hash-live");
    var pub = connected("hash-live-pub");
    double before = deliveryDenials();
    try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
      sub.subscribeWith().topicFilter("#").qos(MqttQos.AT_LEAST_ONCE).send();
      publish(pub, "secret/plans", "s", false);
      publish(pub, "open/news", "o", false);
      assertThat(until(publishes, "open/news")).containsExactly("open/news");
    }
    assertThat(deliveryDenials()).isGreaterThan(before);
    sub.disconnect();
    pub.disconnect();
  }

  @Test
  void retained_messages_on_denied_topics_are_not_sent_to_a_wildcard_subscriber() throws Exception {
    var pub = connected("ret-pub");
    publish(pub, "secret/ret", "s", true);
    publish(pub, "open/ret", "o", true);
    var sub = connected("ret-sub");
    try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
      sub.subscribeWith().topicFilter("+/ret").qos(MqttQos.AT_LEAST_ONCE).send();
      sub.subscribeWith().topicFilter("end/ret").qos(MqttQos.AT_LEAST_ONCE).send();
      publish(pub, "end/ret", "sentinel", false);
      assertThat(until(publishes, "end/ret")).containsExactlyInAnyOrder("open/ret", "end/ret");
    } finally {
      publish(pub, "secret/ret", "", true);
      publish(pub, "open/ret", "", true);
      sub.disconnect();
      pub.disconnect();
    }
  }

  @Test
  void messages_queued_for_an_offline_wildcard_subscriber_skip_denied_topics() throws Exception {
    var sub = Mqtt5Client.builder().identifier("queued-sub").serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    sub.connectWith().cleanStart(true).sessionExpiryInterval(300).send();
    sub.subscribeWith().topicFilter("+/queued").qos(MqttQos.AT_LEAST_ONCE).send();
    sub.disconnect();
    var pub = connected("queued-pub");
    publish(pub, "secret/queued", "s", false);
    publish(pub, "open/queued", "o", false);
    pub.disconnect();
    await().until(() -> gw.broker().sessionView("queued-sub").queued() >= 1);
    try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
      sub.connectWith().cleanStart(false).sessionExpiryInterval(300).send();
      assertThat(until(publishes, "open/queued")).containsExactly("open/queued");
    }
    sub.disconnect();
  }

  @Test
  void mosquitto_sub_on_hash_does_not_see_denied_topics() throws Exception {
    ExternalPeers.require(Files.isExecutable(Path.of("/usr/bin/mosquitto_sub")), "mosquitto-clients not installed");
    for (String version : new String[] {"mqttv5", "mqttv311"}) {
      String id = "mosq-hash-" + version;
      Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(gw.mqttPort()), "-V", version,
          "-i", id, "-t", "#", "-q", "1", "-C", "1", "-W", "20", "-v").redirectErrorStream(true).start();
      await().until(() -> gw.broker().sessionView(id) != null && gw.broker().sessionView(id).subscriptions() == 1);
      var pub = connected("mosq-hash-pub");
      publish(pub, "secret/mosq", "hidden", false);
      publish(pub, "open/mosq", "visible", false);
      pub.disconnect();
      assertThat(sub.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim()).as(version)
          .isEqualTo("open/mosq visible");
    }
  }

  @Test
  void publishing_to_sys_is_refused_with_0x87_in_v5_and_dropped_in_v311() throws Exception {
    var root = Mqtt5Client.builder().identifier("sys-root").serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    root.connectWith().simpleAuth().username("root").password("r".getBytes()).applySimpleAuth().send();
    double before = gw.metrics().counter("acl.denied", "action", "publish").count();
    try (var publishes = root.publishes(MqttGlobalPublishFilter.ALL)) {
      root.subscribeWith().topicFilter("$SYS/forged/#").qos(MqttQos.AT_LEAST_ONCE).send();
      root.subscribeWith().topicFilter("after/sys").qos(MqttQos.AT_LEAST_ONCE).send();
      var v5 = connected("sys-forger");
      var e = catchThrowableOfType(() -> publish(v5, "$SYS/forged/uplink", "up", true), Mqtt5PubAckException.class);
      assertThat(e).isNotNull();
      assertThat(e.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x87);
      v5.disconnect();
      var v3 = Mqtt3Client.builder().identifier("sys-forger-3").serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
      v3.connect();
      v3.publishWith().topic("$SYS/forged/v3").qos(MqttQos.AT_LEAST_ONCE).payload("up".getBytes()).send();
      v3.publishWith().topic("after/sys").qos(MqttQos.AT_LEAST_ONCE).payload("sentinel".getBytes()).send();
      v3.disconnect();
      assertThat(until(publishes, "after/sys")).containsExactly("after/sys");
    }
    assertThat(gw.broker().retained("$SYS/forged/uplink")).isNull();
    assertThat(gw.metrics().counter("acl.denied", "action", "publish").count()).isGreaterThanOrEqualTo(before + 2);
    root.disconnect();
  }
}
