package io.estuary.mqtt.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.estuary.testkit.TestGateway;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue #12: a resumed session's stored subscriptions are checked against the ACL of the run that resumes it. */
@Timeout(60)
class MqttResumeReauthorizationIT {
  @TempDir
  Path data;

  static String acl(String permission) {
    return """
        authorization {
          no_match = allow
          rules = [{ permission = %s, who = "all", action = subscribe, topics = ["plant/#"] }]
        }
        """.formatted(permission);
  }

  static Mqtt5BlockingClient client(TestGateway gw, String id) {
    return Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
  }

  @Test
  void a_subscription_the_new_acl_denies_is_removed_on_resume_before_any_delivery() throws Exception {
    try (TestGateway first = TestGateway.builder().persistence(data).config(acl("allow")).start()) {
      var sub = client(first, "resumer");
      sub.connectWith().cleanStart(true).sessionExpiryInterval(600).send();
      sub.subscribeWith().topicFilter("plant/#").qos(MqttQos.AT_LEAST_ONCE).send();
      sub.subscribeWith().topicFilter("ok/#").qos(MqttQos.AT_LEAST_ONCE).send();
      sub.disconnect();
    }
    try (TestGateway second = TestGateway.builder().persistence(data).config(acl("deny")).start()) {
      assertThat(second.broker().sessionView("resumer").subscriptions()).isEqualTo(2);
      var sub = client(second, "resumer");
      try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
        var ack = sub.connectWith().cleanStart(false).sessionExpiryInterval(600).send();
        assertThat(ack.isSessionPresent()).isTrue();
        assertThat(second.broker().sessionView("resumer").subscriptions()).isEqualTo(1);
        var pub = client(second, "resumer-pub");
        pub.connect();
        pub.publishWith().topic("plant/valve").qos(MqttQos.AT_LEAST_ONCE).payload("x".getBytes()).send();
        pub.publishWith().topic("ok/after").qos(MqttQos.AT_LEAST_ONCE).payload("y".getBytes()).send();
        pub.disconnect();
        assertThat(publishes.receive(10, TimeUnit.SECONDS).orElseThrow().getTopic().toString()).isEqualTo("ok/after");
      }
      assertThat(second.metrics().counter("acl.denied", "action", "resume").count()).isEqualTo(1);
      sub.disconnect();
    }
  }
}
