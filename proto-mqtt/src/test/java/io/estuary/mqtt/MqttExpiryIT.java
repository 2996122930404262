package io.estuary.mqtt;

import static io.estuary.mqtt.MqttConformanceRawIT.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.estuary.testkit.MutableClock;
import io.estuary.testkit.RawMqttClient;
import io.estuary.testkit.TestGateway;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
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

  /** A QoS 2 PUBLISH of one byte with a Message Expiry Interval of {@code seconds} (raw, MQTT 5). */
  private static byte[] qos2WithExpiry(String topic, int id, int seconds) {
    return bytes().str(topic).u16(id)
        .props(bytes().b(0x02).b(seconds >>> 24, seconds >>> 16 & 0xFF, seconds >>> 8 & 0xFF, seconds & 0xFF))
        .b('x').packet(0x34);
  }

  private static MqttProperties keepSession() {
    MqttProperties keep = new MqttProperties();
    keep.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), 600));
    return keep;
  }

  @Test
  void a_qos2_publish_already_sent_is_sent_again_on_resume_even_after_its_expiry() throws Exception { // MQTT-4.3.3-7
    MutableClock clock = new MutableClock();
    try (TestGateway gw = TestGateway.builder().clock(clock).start();
        RawMqttClient pub = new RawMqttClient(gw.mqttPort())) {
      pub.connect("exp2-pub", 5, true, 60);
      try (RawMqttClient sub = new RawMqttClient(gw.mqttPort())) {
        sub.connect("exp2-sub", 5, true, 60, keepSession());
        sub.sendRaw(bytes().u16(1).b(0).str("exp2/#").b(2).packet(0x82));
        assertThat(sub.await(MqttMessageType.SUBACK, Duration.ofSeconds(5))).isNotNull();
        pub.sendRaw(qos2WithExpiry("exp2/a", 1, 5));
        assertThat(pub.await(MqttMessageType.PUBREC, Duration.ofSeconds(5))).isNotNull();
        var first = (MqttPublishMessage) sub.await(MqttMessageType.PUBLISH, Duration.ofSeconds(5));
        assertThat(first.fixedHeader().qosLevel().value()).isEqualTo(2);
        first.release();
      } // dropped without PUBREC: the PUBLISH was sent, so the exchange must be finished whatever the expiry says
      clock.advance(Duration.ofSeconds(60));
      try (RawMqttClient sub = new RawMqttClient(gw.mqttPort())) {
        sub.connect("exp2-sub", 5, false, 60, keepSession());
        var again = (MqttPublishMessage) sub.await(MqttMessageType.PUBLISH, Duration.ofSeconds(5));
        assertThat(again).as("the expired but already sent QoS 2 message comes again").isNotNull();
        assertThat(again.variableHeader().topicName()).isEqualTo("exp2/a");
        assertThat(again.fixedHeader().isDup()).isTrue();
        int id = again.variableHeader().packetId();
        again.release();
        sub.sendRaw(bytes().u16(id).packet(0x50)); // PUBREC
        MqttMessage rel = sub.await(MqttMessageType.PUBREL, Duration.ofSeconds(5));
        assertThat(((MqttPubReplyMessageVariableHeader) rel.variableHeader()).messageId()).isEqualTo(id);
      }
    }
  }

  @Test
  void a_qos2_exchange_is_completed_after_the_message_expired() throws Exception { // MQTT-4.3.3-13
    MutableClock clock = new MutableClock();
    try (TestGateway gw = TestGateway.builder().clock(clock).start();
        RawMqttClient pub = new RawMqttClient(gw.mqttPort())) {
      pub.connect("exp3-pub", 5, true, 60);
      pub.sendRaw(qos2WithExpiry("exp3/a", 7, 1));
      MqttMessage rec = pub.await(MqttMessageType.PUBREC, Duration.ofSeconds(5));
      assertThat(((MqttPubReplyMessageVariableHeader) rec.variableHeader()).reasonCode()).isIn((byte) 0x00, (byte) 0x10);
      clock.advance(Duration.ofSeconds(30));
      pub.sendRaw(bytes().u16(7).packet(0x62)); // PUBREL
      MqttMessage comp = pub.await(MqttMessageType.PUBCOMP, Duration.ofSeconds(5));
      var header = (MqttPubReplyMessageVariableHeader) comp.variableHeader();
      assertThat(header.messageId()).isEqualTo(7);
      assertThat(header.reasonCode()).as("0x00, not 0x92 packet identifier not found").isEqualTo((byte) 0x00);
    }
  }
}
