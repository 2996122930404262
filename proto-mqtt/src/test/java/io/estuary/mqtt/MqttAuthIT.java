package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.estuary.testkit.TestGateway;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MqttAuthIT {
  static TestGateway gw;

  @BeforeAll
  static void start() {
    // alice's password is bcrypt("wonderland", cost 4)
    gw = TestGateway.builder().config("""
        authentication {
          allow_anonymous = false
          users = [
            { username = "alice", password = "$2b$04$......................v9QrkXlUkTkmsV7wTnV5NAdHRi2vF7." }
            { username = "bob", password = "builder" }
            { username = "root", password = "toor", superuser = true }
          ]
        }
        authorization {
          no_match = deny
          rules = [
            { permission = allow, who = "all", action = all, topics = ["users/${username}/#"] }
            { permission = allow, who = "username:bob", action = subscribe, topics = ["public/#"] }
            { permission = deny, who = "all", action = all, topics = ["#"] }
          ]
        }
        """).start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static Mqtt5BlockingClient user(String name, String password) {
    var c = Mqtt5Client.builder().identifier("c-" + name).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    c.connectWith().simpleAuth().username(name).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
    return c;
  }

  @Test
  void anonymous_is_refused_when_disabled() {
    var c = Mqtt5Client.builder().identifier("anon").serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    var e = catchThrowableOfType(c::connect, Mqtt5ConnAckException.class);
    assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
  }

  @Test
  void wrong_password_gets_bad_credentials_in_v5_and_v311() {
    var e = catchThrowableOfType(() -> user("bob", "nope"), Mqtt5ConnAckException.class);
    assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    var c3 = Mqtt3Client.builder().identifier("bob3").serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    var e3 = catchThrowableOfType(() -> c3.connectWith().simpleAuth().username("bob").password("nope".getBytes()).applySimpleAuth().send(),
        Mqtt3ConnAckException.class);
    assertThat(e3.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD);
  }

  @Test
  void bcrypt_password_is_accepted() {
    user("alice", "wonderland").disconnect();
  }

  @Test
  void acl_allows_own_topics_and_denies_others() {
    var bob = user("bob", "builder");
    bob.publishWith().topic("users/bob/x").qos(MqttQos.AT_LEAST_ONCE).send();
    var pubErr = catchThrowableOfType(() -> bob.publishWith().topic("users/alice/x").qos(MqttQos.AT_LEAST_ONCE).send(), Mqtt5PubAckException.class);
    assertThat(pubErr.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x87);
    bob.subscribeWith().topicFilter("public/news").send();
    var subErr = catchThrowableOfType(() -> bob.subscribeWith().topicFilter("secret/#").send(), Mqtt5SubAckException.class);
    assertThat(subErr.getMqttMessage().getReasonCodes().get(0).getCode()).isEqualTo(0x87);
    bob.disconnect();
  }

  @Test
  void superuser_skips_the_acl() throws InterruptedException {
    var root = user("root", "toor");
    try (var publishes = root.publishes(MqttGlobalPublishFilter.ALL)) {
      var subAck = root.subscribeWith().topicFilter("secret/#").qos(MqttQos.AT_LEAST_ONCE).send();
      assertThat(subAck.getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
      var pubAck = root.publishWith().topic("secret/a").qos(MqttQos.AT_LEAST_ONCE)
          .payload("for root".getBytes(StandardCharsets.UTF_8)).send();
      assertThat(pubAck.getError()).isEmpty();
      var got = publishes.receive(5, TimeUnit.SECONDS);
      assertThat(got).as("the superuser's own publish on a denied topic is delivered to it").isPresent();
      assertThat(got.get().getTopic().toString()).isEqualTo("secret/a");
      assertThat(new String(got.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("for root");
    } finally {
      root.disconnect();
    }
  }
}
