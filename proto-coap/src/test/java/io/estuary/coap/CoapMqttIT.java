package io.estuary.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient.Mqtt5Publishes;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.cf.CfSettings;
import io.estuary.testkit.TestGateway;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The CoAP gateway on the real broker, with hivemq-mqtt-client on the MQTT side. */
@Timeout(60)
class CoapMqttIT {
  private TestGateway gw;
  private InetSocketAddress coap;
  private Mqtt5BlockingClient mqtt;
  private final List<CoapClient> clients = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    gw = TestGateway.builder()
        .config("gateway.coap.listeners.udp.default.bind = \"127.0.0.1:0\"")
        .adapter(new CoapAdapterFactory())
        .start();
    coap = gw.listener("coap", "udp:default");
    mqtt = Mqtt5Client.builder().identifier("mqtt-side").serverHost("127.0.0.1").serverPort(gw.mqttPort())
        .buildBlocking();
    mqtt.connect();
  }

  @AfterEach
  void stop() {
    clients.forEach(c -> {
      c.getEndpoint().destroy();
      c.shutdown();
    });
    mqtt.disconnect();
    gw.close();
  }

  private CoapClient client(String pathAndQuery) {
    CoapClient c = new CoapClient("coap://127.0.0.1:" + coap.getPort() + pathAndQuery);
    c.setEndpoint(new CoapEndpoint.Builder().setConfiguration(CfSettings.DEFAULTS.toConfiguration()).build());
    c.setTimeout(5_000L);
    clients.add(c);
    return c;
  }

  @Test
  void mqtt_subscriber_receives_coap_publish_with_content_type() throws Exception {
    try (Mqtt5Publishes publishes = mqtt.publishes(MqttGlobalPublishFilter.ALL)) {
      mqtt.subscribeWith().topicFilter("devices/+/up").qos(MqttQos.AT_LEAST_ONCE).send();
      CoapResponse r = client("/ps/devices/d1/up?clientid=d1&qos=1").post("{\"v\":1}", MediaTypeRegistry.APPLICATION_JSON);
      assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
      Optional<Mqtt5Publish> got = publishes.receive(5, TimeUnit.SECONDS);
      assertThat(got).isPresent();
      assertThat(got.get().getTopic().toString()).isEqualTo("devices/d1/up");
      assertThat(new String(got.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"v\":1}");
      assertThat(got.get().getContentType()).hasValueSatisfying(ct -> assertThat(ct.toString()).isEqualTo("application/json"));
    }
  }

  @Test
  void coap_observer_receives_mqtt_publishes_in_order() throws Exception {
    List<CoapResponse> got = new CopyOnWriteArrayList<>();
    client("/ps/cmd/d2?clientid=d2").observe(CoapPubSubIT.handler(got));
    await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1);
    for (int i = 0; i < 20; i++) {
      mqtt.publishWith().topic("cmd/d2").qos(i % 2 == 0 ? MqttQos.AT_MOST_ONCE : MqttQos.AT_LEAST_ONCE)
          .contentType("text/plain").payload(("m" + i).getBytes(StandardCharsets.UTF_8)).send();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 21);
    for (int i = 0; i < 20; i++) {
      assertThat(got.get(i + 1).getResponseText()).isEqualTo("m" + i);
      assertThat(got.get(i + 1).getOptions().getContentFormat()).isEqualTo(MediaTypeRegistry.TEXT_PLAIN);
    }
  }

  @Test
  void connection_mode_client_observes_and_publishes_with_its_token() throws Exception {
    String token = client("/mqtt/connection?clientid=d3").post("", 0).getResponseText();
    List<CoapResponse> got = new CopyOnWriteArrayList<>();
    client("/ps/d3/%23?clientid=d3&token=" + token).observe(CoapPubSubIT.handler(got));
    await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1);
    assertThat(client("/ps/d3/echo?clientid=d3&token=" + token).put("ping", 0).getCode())
        .isEqualTo(ResponseCode.CHANGED);
    await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 2);
    assertThat(got.get(1).getResponseText()).isEqualTo("ping");
  }
}
