package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.estuary.testkit.RawMqttClient;
import io.estuary.testkit.TestGateway;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MqttWillIT {
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static Mqtt5BlockingClient watcher(String id, String filter) {
    var w = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    w.connect();
    w.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send();
    return w;
  }

  static RawMqttClient withWill(String id, int version, String willTopic, int keepAlive, MqttProperties props, MqttProperties willProps) throws Exception {
    RawMqttClient c = new RawMqttClient(gw.mqttPort());
    c.send(MqttMessageBuilders.connect().clientId(id).protocolVersion(version == 5 ? MqttVersion.MQTT_5 : MqttVersion.MQTT_3_1_1)
        .cleanSession(props == MqttProperties.NO_PROPERTIES).keepAlive(keepAlive).willFlag(true).willTopic(willTopic).willMessage("gone".getBytes())
        .willQoS(MqttQoS.AT_LEAST_ONCE).properties(props).willProperties(willProps).build());
    assertThat(c.await(MqttMessageType.CONNACK, Duration.ofSeconds(5))).isNotNull();
    return c;
  }

  @Test
  void will_is_published_when_the_connection_drops() throws Exception {
    var w = watcher("w1", "will/drop");
    try (var publishes = w.publishes(MqttGlobalPublishFilter.ALL)) {
      withWill("dropper", 4, "will/drop", 60, MqttProperties.NO_PROPERTIES, MqttProperties.NO_PROPERTIES).close();
      var got = publishes.receive(5, TimeUnit.SECONDS);
      assertThat(got).isPresent();
      assertThat(new String(got.get().getPayloadAsBytes())).isEqualTo("gone");
    }
    w.disconnect();
  }

  @Test
  void no_will_after_a_normal_disconnect_but_one_with_reason_0x04() throws Exception {
    var w = watcher("w2", "will/normal/#");
    try (var publishes = w.publishes(MqttGlobalPublishFilter.ALL)) {
      try (RawMqttClient c = withWill("polite", 5, "will/normal/a", 60, MqttProperties.NO_PROPERTIES, MqttProperties.NO_PROPERTIES)) {
        c.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
            new MqttReasonCodeAndPropertiesVariableHeader((byte) 0, MqttProperties.NO_PROPERTIES)));
      }
      try (RawMqttClient c = withWill("polite-with-will", 5, "will/normal/b", 60, MqttProperties.NO_PROPERTIES, MqttProperties.NO_PROPERTIES)) {
        c.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
            new MqttReasonCodeAndPropertiesVariableHeader((byte) 0x04, MqttProperties.NO_PROPERTIES)));
      }
      var got = publishes.receive(5, TimeUnit.SECONDS);
      assertThat(got).isPresent();
      assertThat(got.get().getTopic().toString()).isEqualTo("will/normal/b");
      assertThat(publishes.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
    }
    w.disconnect();
  }

  @Test
  void keepalive_timeout_closes_the_connection_and_publishes_the_will() throws Exception {
    var w = watcher("w3", "will/idle");
    try (var publishes = w.publishes(MqttGlobalPublishFilter.ALL)) {
      try (RawMqttClient c = withWill("idler", 5, "will/idle", 1, MqttProperties.NO_PROPERTIES, MqttProperties.NO_PROPERTIES)) {
        var d = c.await(MqttMessageType.DISCONNECT, Duration.ofSeconds(5));
        assertThat(d).isNotNull();
        assertThat(((MqttReasonCodeAndPropertiesVariableHeader) d.variableHeader()).reasonCode())
            .isEqualTo((byte) Mqtt5DisconnectReasonCode.KEEP_ALIVE_TIMEOUT.getCode());
      }
      assertThat(publishes.receive(5, TimeUnit.SECONDS)).isPresent();
    }
    w.disconnect();
  }

  @Test
  void will_delay_is_cancelled_when_the_client_comes_back_in_time() throws Exception {
    var w = watcher("w4", "will/delay");
    MqttProperties sessionProps = new MqttProperties();
    sessionProps.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), 60));
    MqttProperties willProps = new MqttProperties();
    willProps.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.WILL_DELAY_INTERVAL.value(), 2));
    try (var publishes = w.publishes(MqttGlobalPublishFilter.ALL)) {
      withWill("delayed", 5, "will/delay", 60, sessionProps, willProps).close();
      // back within the delay (with the same will): the first will never goes out
      RawMqttClient back = withWill("delayed", 5, "will/delay", 60, sessionProps, willProps);
      assertThat(publishes.receive(3, TimeUnit.SECONDS)).isEmpty();
      // this time it stays away: the will goes out after the delay
      back.close();
      assertThat(publishes.receive(5, TimeUnit.SECONDS)).isPresent();
    }
    w.disconnect();
  }
}
