package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import io.estuary.testkit.TestGateway;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MQTT over TLS, WebSocket and secure WebSocket, each talking to a plain TCP client. */
@Timeout(60)
class MqttTransportsIT {
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().config("""
        listeners.ssl.default.enable = true
        listeners.ws.default.enable = true
        listeners.wss.default.enable = true
        """).start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static Mqtt5BlockingClient client(String type, String id) {
    Mqtt5ClientBuilder b = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort(type));
    if (type.equals("ssl") || type.equals("wss")) {
      // the listener uses its self-signed certificate
      b = b.sslConfig(MqttClientSslConfig.builder().trustManagerFactory(InsecureTrustManagerFactory.INSTANCE)
          .hostnameVerifier((h, s) -> true).build());
    }
    if (type.equals("ws") || type.equals("wss")) {
      b = b.webSocketConfig().serverPath("mqtt").applyWebSocketConfig();
    }
    Mqtt5BlockingClient c = b.buildBlocking();
    c.connect();
    return c;
  }

  @ParameterizedTest
  @ValueSource(strings = {"ssl", "ws", "wss"})
  void publish_and_subscribe_across_transports(String type) throws Exception {
    var sub = client(type, "sub-" + type);
    var pub = client("tcp", "pub-for-" + type);
    try (var p = sub.publishes(MqttGlobalPublishFilter.ALL)) {
      sub.subscribeWith().topicFilter("tr/" + type).qos(MqttQos.AT_LEAST_ONCE).send();
      pub.publishWith().topic("tr/" + type).qos(MqttQos.AT_LEAST_ONCE).payload(type.getBytes()).send();
      assertThat(new String(p.receive(5, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes())).isEqualTo(type);
      // and back the other way
      try (var q = pub.publishes(MqttGlobalPublishFilter.ALL)) {
        pub.subscribeWith().topicFilter("back/" + type).send();
        sub.publishWith().topic("back/" + type).payload("ok".getBytes()).send();
        assertThat(q.receive(5, TimeUnit.SECONDS)).isPresent();
      }
    }
    sub.disconnect();
    pub.disconnect();
  }
}
