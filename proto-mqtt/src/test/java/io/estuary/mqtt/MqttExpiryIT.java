package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.estuary.testkit.MutableClock;
import io.estuary.testkit.TestGateway;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Message expiry (MQTT 5 §3.3.2.3.3) against a clock the test moves. */
@Timeout(60)
class MqttExpiryIT {

  @Test
  void queued_message_past_its_expiry_is_dropped_and_the_rest_get_the_remaining_interval() throws Exception {
    MutableClock clock = new MutableClock();
    try (TestGateway gw = TestGateway.builder().clock(clock).start()) {
      Mqtt5BlockingClient sub = Mqtt5Client.builder().identifier("exp-sub").serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
      sub.connectWith().sessionExpiryInterval(600).send();
      sub.subscribeWith().topicFilter("exp/#").qos(MqttQos.AT_LEAST_ONCE).send();
      sub.disconnect();
      Mqtt5BlockingClient pub = Mqtt5Client.builder().identifier("exp-pub").serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
      pub.connect();
      pub.publishWith().topic("exp/short").qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(10).payload("short".getBytes()).send();
      pub.publishWith().topic("exp/long").qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(100).payload("long".getBytes()).send();
      pub.disconnect();
      await().until(() -> gw.broker().sessionView("exp-sub").queued() == 2);
      double before = gw.gateway().metrics().registry().get("estuary.messages.dropped").tag("reason", "expired").counter().count();
      clock.advance(Duration.ofSeconds(30));
      try (var p = sub.publishes(MqttGlobalPublishFilter.ALL)) {
        sub.connectWith().cleanStart(false).sessionExpiryInterval(600).send();
        var got = p.receive(5, TimeUnit.SECONDS).orElseThrow();
        assertThat(new String(got.getPayloadAsBytes())).isEqualTo("long");
        assertThat(got.getMessageExpiryInterval().getAsLong()).isBetween(69L, 70L);
        assertThat(p.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
      }
      assertThat(gw.gateway().metrics().registry().get("estuary.messages.dropped").tag("reason", "expired").counter().count() - before).isEqualTo(1);
      sub.disconnect();
    }
  }
}
