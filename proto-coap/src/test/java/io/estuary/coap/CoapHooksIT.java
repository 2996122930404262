package io.estuary.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.estuary.api.hooks.HookName;
import io.estuary.cf.CfSettings;
import io.estuary.testkit.TestGateway;
import io.estuary.testkit.TestHookPlugin;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hook chain seen from CoAP devices (Californium client): the same plugin, the protocol named "coap". */
@Timeout(60)
class CoapHooksIT {
  static TestHookPlugin plugin = new TestHookPlugin();
  static TestGateway gw;
  static InetSocketAddress coap;
  static Mqtt5BlockingClient mqtt;
  static final List<CoapClient> clients = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().plugin(plugin)
        .config("gateway.coap.listeners.udp.default.bind = \"127.0.0.1:0\"")
        .adapter(new CoapAdapterFactory())
        .start();
    coap = gw.listener("coap", "udp:default");
    mqtt = Mqtt5Client.builder().identifier("coap-hooks-mqtt").serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    mqtt.connect();
  }

  @AfterAll
  static void stop() {
    clients.forEach(c -> {
      c.getEndpoint().destroy();
      c.shutdown();
    });
    mqtt.disconnect();
    gw.close();
  }

  static CoapClient client(String pathAndQuery) {
    CoapClient c = new CoapClient("coap://127.0.0.1:" + coap.getPort() + pathAndQuery);
    c.setEndpoint(new CoapEndpoint.Builder().setConfiguration(CfSettings.DEFAULTS.toConfiguration()).build());
    c.setTimeout(5_000L);
    clients.add(c);
    return c;
  }

  @Test
  void a_connection_the_plugin_refuses_is_answered_forbidden() throws Exception {
    CoapResponse r = client("/mqtt/connection?clientid=blocked-coap").post("", 0);
    assertThat(r.getCode()).isEqualTo(ResponseCode.FORBIDDEN); // the adapter's answer to NOT_AUTHORIZED
    assertThat(plugin.calls(HookName.AUTH_ON_REGISTER)).anyMatch(c -> c.startsWith("auth_on_register coap blocked-coap"));
  }

  @Test
  void a_rewritten_publish_reaches_mqtt_rewritten_and_a_denied_one_is_forbidden() throws Exception {
    try (var publishes = mqtt.publishes(MqttGlobalPublishFilter.ALL)) {
      mqtt.subscribeWith().topicFilter("rewritten/#").qos(MqttQos.AT_LEAST_ONCE).send();
      assertThat(client("/ps/deny/c1?clientid=c1&qos=1").post("no", 0).getCode()).isEqualTo(ResponseCode.FORBIDDEN);
      assertThat(client("/ps/rewrite/c1?clientid=c1&qos=1").post("21.5", 0).getCode()).isEqualTo(ResponseCode.CHANGED);
      var got = publishes.receive(10, TimeUnit.SECONDS).orElseThrow();
      assertThat(got.getTopic().toString()).isEqualTo("rewritten/c1");
      assertThat(new String(got.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("hooked:21.5");
    }
    assertThat(plugin.calls(HookName.AUTH_ON_PUBLISH)).contains("auth_on_publish coap c1 deny/c1", "auth_on_publish coap c1 rewrite/c1");
    await().atMost(Duration.ofSeconds(10)).until(() -> plugin.calls(HookName.ON_PUBLISH).contains("on_publish coap c1 rewritten/c1"));
  }

  @Test
  void a_denied_observe_is_forbidden_and_on_deliver_rewrites_the_notifications() throws Exception {
    String token = client("/mqtt/connection?clientid=c2").post("", 0).getResponseText();
    List<CoapResponse> denied = new CopyOnWriteArrayList<>();
    client("/ps/deny/%23?clientid=c2&token=" + token).observe(CoapPubSubIT.handler(denied));
    await().atMost(Duration.ofSeconds(5)).until(() -> denied.size() == 1);
    assertThat(denied.get(0).getCode()).isEqualTo(ResponseCode.FORBIDDEN);
    List<CoapResponse> got = new CopyOnWriteArrayList<>();
    client("/ps/deliver-rewrite/c2?clientid=c2&token=" + token).observe(CoapPubSubIT.handler(got));
    await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1);
    mqtt.publishWith().topic("deliver-rewrite/c2").qos(MqttQos.AT_LEAST_ONCE).payload("on".getBytes()).send();
    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 2);
    assertThat(got.get(1).getResponseText()).isEqualTo("delivered:on");
    assertThat(plugin.calls(HookName.AUTH_ON_SUBSCRIBE)).contains("auth_on_subscribe coap c2 deny/#");
    assertThat(plugin.calls(HookName.ON_REGISTER)).contains("on_register coap c2 ");
  }
}
