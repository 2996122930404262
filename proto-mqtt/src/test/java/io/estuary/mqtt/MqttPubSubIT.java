package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.testkit.TestGateway;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(30)
class MqttPubSubIT {
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static Mqtt5BlockingClient v5(String id) {
    Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    c.connect();
    return c;
  }

  static Mqtt3BlockingClient v3(String id) {
    Mqtt3BlockingClient c = Mqtt3Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    c.connect();
    return c;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void v5_publish_reaches_v5_subscriber_at_each_qos(int qos) throws Exception {
    var sub = v5("sub-v5-" + qos);
    var pub = v5("pub-v5-" + qos);
    try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
      sub.subscribeWith().topicFilter("t/" + qos + "/+").qos(MqttQos.fromCode(qos)).send();
      pub.publishWith().topic("t/" + qos + "/a").qos(MqttQos.fromCode(qos)).payload("hello".getBytes()).send();
      Optional<Mqtt5Publish> got = publishes.receive(5, TimeUnit.SECONDS);
      assertThat(got).isPresent();
      assertThat(got.get().getTopic().toString()).isEqualTo("t/" + qos + "/a");
      assertThat(new String(got.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
      assertThat(got.get().getQos().getCode()).isEqualTo(qos);
    } finally {
      sub.disconnect();
      pub.disconnect();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void v311_publish_reaches_v311_subscriber_at_each_qos(int qos) throws Exception {
    var sub = v3("sub-v3-" + qos);
    var pub = v3("pub-v3-" + qos);
    try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
      sub.subscribeWith().topicFilter("v3/" + qos + "/#").qos(MqttQos.fromCode(qos)).send();
      pub.publishWith().topic("v3/" + qos + "/x/y").qos(MqttQos.fromCode(qos)).payload(new byte[] {1, 2, 3}).send();
      var got = publishes.receive(5, TimeUnit.SECONDS);
      assertThat(got).isPresent();
      assertThat(got.get().getPayloadAsBytes()).containsExactly(1, 2, 3);
    } finally {
      sub.disconnect();
      pub.disconnect();
    }
  }

  @Test
  void retained_message_is_delivered_on_subscribe_and_cleared_by_empty_payload() throws Exception {
    var pub = v5("ret-pub");
    pub.publishWith().topic("ret/a").retain(true).qos(MqttQos.AT_LEAST_ONCE).payload("r1".getBytes()).send();
    var sub = v5("ret-sub");
    try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
      sub.subscribeWith().topicFilter("ret/#").qos(MqttQos.AT_LEAST_ONCE).send();
      var got = publishes.receive(5, TimeUnit.SECONDS);
      assertThat(got).isPresent();
      assertThat(got.get().isRetain()).isTrue();
      assertThat(new String(got.get().getPayloadAsBytes())).isEqualTo("r1");
    }
    pub.publishWith().topic("ret/a").retain(true).qos(MqttQos.AT_LEAST_ONCE).payload(new byte[0]).send();
    assertThat(gw.broker().retainedCount()).isZero();
    sub.disconnect();
    pub.disconnect();
  }
}
