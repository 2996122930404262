package io.estuary.lua.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.estuary.api.ProtocolAdapterFactory;
import io.estuary.testkit.TestGateway;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One Lua script, written in vmq_diversity's style, authorizes and rewrites for MQTT, MQTT-SN, CoAP and STOMP
 * clients of one gateway (each refusal is read from what the refused client received); then it is reloaded while
 * clients stay connected.
 */
@Timeout(120)
class LuaProtocolsIT {
  static final String SCRIPT = """
      -- one script for every protocol: pub.protocol names the client's
      function auth_on_register(reg)
        if reg.client_id:find("^denied") or reg.username == "mallory" then
          log.warning("refused " .. reg.protocol .. " client " .. reg.client_id)
          return false
        end
        return true
      end
      function auth_on_publish(pub)
        if pub.topic:find("^forbidden/") then return false end
        if pub.topic:find("^raw/") then
          return { topic = "cooked/" .. pub.protocol .. "/" .. pub.topic:sub(5), payload = pub.protocol .. ":" .. pub.payload }
        end
        return true
      end
      hooks = { auth_on_register = auth_on_register, auth_on_publish = auth_on_publish }
      """;

  @TempDir
  static Path dir;
  static TestGateway gw;
  static Mqtt5BlockingClient watcher;

  static ProtocolAdapterFactory adapter(String protocol) {
    return ServiceLoader.load(ProtocolAdapterFactory.class).stream().map(ServiceLoader.Provider::get)
        .filter(f -> f.protocol().equals(protocol)).findFirst().orElseThrow();
  }

  @BeforeAll
  static void start() throws Exception {
    Files.writeString(dir.resolve("auth.lua"), SCRIPT);
    gw = TestGateway.builder()
        .adapter(adapter("mqttsn")).adapter(adapter("coap")).adapter(adapter("stomp"))
        .config("gateway.mqttsn.listeners.udp.default.bind = \"127.0.0.1:0\"")
        .config("gateway.coap.listeners.udp.default.bind = \"127.0.0.1:0\"")
        .config("""
            gateway.stomp.listeners.tcp.default.bind = "127.0.0.1:0"
            gateway.stomp.listeners.ssl.default { enable = false, bind = "127.0.0.1:0" }
            gateway.stomp.listeners.ws.default.bind = "127.0.0.1:0"
            gateway.stomp.listeners.wss.default { enable = false, bind = "127.0.0.1:0" }
            """)
        .config("plugins.lua { script_path = \"" + dir + "\", scripts = [auth.lua], num_states = 2 }")
        .start();
    watcher = mqtt("lua-watcher");
  }

  @AfterAll
  static void stop() {
    if (watcher != null) {
      watcher.disconnect();
    }
    if (gw != null) {
      gw.close();
    }
  }

  static Mqtt5BlockingClient mqtt(String id) {
    Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    c.connect();
    return c;
  }

  static Mqtt5Publish received(Mqtt5BlockingClient.Mqtt5Publishes p) throws InterruptedException {
    return p.receive(10, TimeUnit.SECONDS).orElseThrow(() -> new AssertionError("nothing arrived"));
  }

  static String text(Mqtt5Publish p) {
    return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void an_mqtt_client_is_refused_rewritten_and_denied_by_the_script() throws Exception {
    Mqtt5BlockingClient denied = Mqtt5Client.builder().identifier("denied-mqtt").serverHost("127.0.0.1")
        .serverPort(gw.mqttPort()).buildBlocking();
    assertThatThrownBy(denied::connect).isInstanceOfSatisfying(Mqtt5ConnAckException.class,
        e -> assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED));
    Mqtt5BlockingClient c = mqtt("lua-mqtt");
    try (var publishes = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
      watcher.subscribeWith().topicFilter("cooked/mqtt/#").qos(MqttQos.AT_LEAST_ONCE).send();
      c.publishWith().topic("raw/m1").qos(MqttQos.AT_LEAST_ONCE).payload("hello".getBytes()).send();
      Mqtt5Publish got = received(publishes);
      assertThat(got.getTopic().toString()).isEqualTo("cooked/mqtt/m1");
      assertThat(text(got)).isEqualTo("mqtt:hello");
      assertThatThrownBy(() -> c.publishWith().topic("forbidden/m1").qos(MqttQos.AT_LEAST_ONCE).payload("x".getBytes()).send())
          .isInstanceOfSatisfying(Mqtt5PubAckException.class,
              e -> assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED));
    } finally {
      c.disconnect();
    }
  }

  @Test
  void an_mqttsn_device_is_refused_rewritten_and_denied_by_the_same_script() throws Exception {
    try (RawClients.Sn d = new RawClients.Sn(gw.listener("mqttsn", "udp:default"))) {
      assertThat(d.connect("denied-sn")).isEqualTo(0x03); // CONNACK: rejected
    }
    try (var publishes = watcher.publishes(MqttGlobalPublishFilter.ALL);
        RawClients.Sn d = new RawClients.Sn(gw.listener("mqttsn", "udp:default"))) {
      watcher.subscribeWith().topicFilter("cooked/mqttsn/#").qos(MqttQos.AT_LEAST_ONCE).send();
      assertThat(d.connect("lua-sn")).isZero();
      int raw = d.register("raw/sn", 1);
      assertThat(d.publish(raw, 2, "21.5")).isZero();
      Mqtt5Publish got = received(publishes);
      assertThat(got.getTopic().toString()).isEqualTo("cooked/mqttsn/sn");
      assertThat(text(got)).isEqualTo("mqttsn:21.5");
      int forbidden = d.register("forbidden/sn", 3);
      assertThat(d.publish(forbidden, 4, "no")).isEqualTo(0x03); // PUBACK: rejected
    }
  }

  static CoapClient coap(String pathAndQuery) {
    Configuration cfg = Configuration.createStandardWithoutFile();
    CoapClient c = new CoapClient("coap://127.0.0.1:" + gw.listener("coap", "udp:default").getPort() + pathAndQuery);
    c.setEndpoint(new CoapEndpoint.Builder().setConfiguration(cfg).build());
    c.setTimeout(5_000L);
    return c;
  }

  @Test
  void a_coap_device_is_refused_rewritten_and_denied_by_the_same_script() throws Exception {
    CoapConfig.register();
    UdpConfig.register();
    CoapClient refused = coap("/mqtt/connection?clientid=denied-coap");
    CoapClient rewritten = coap("/ps/raw/c1?clientid=lua-coap&qos=1");
    CoapClient forbidden = coap("/ps/forbidden/c1?clientid=lua-coap&qos=1");
    try (var publishes = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
      watcher.subscribeWith().topicFilter("cooked/coap/#").qos(MqttQos.AT_LEAST_ONCE).send();
      assertThat(refused.post("", 0).getCode()).isEqualTo(ResponseCode.FORBIDDEN);
      assertThat(rewritten.post("7", 0).getCode()).isEqualTo(ResponseCode.CHANGED);
      Mqtt5Publish got = received(publishes);
      assertThat(got.getTopic().toString()).isEqualTo("cooked/coap/c1");
      assertThat(text(got)).isEqualTo("coap:7");
      assertThat(forbidden.post("no", 0).getCode()).isEqualTo(ResponseCode.FORBIDDEN);
    } finally {
      for (CoapClient c : new CoapClient[] {refused, rewritten, forbidden}) {
        c.getEndpoint().destroy();
        c.shutdown();
      }
    }
  }

  @Test
  void a_stomp_client_is_refused_rewritten_and_denied_by_the_same_script() throws Exception {
    InetSocketAddress stomp = gw.listener("stomp", "tcp:default");
    try (RawClients.Stomp s = new RawClients.Stomp(stomp)) {
      assertThat(s.connect("lua-stomp-x", "mallory", "pw")).startsWith("ERROR");
    }
    try (var publishes = watcher.publishes(MqttGlobalPublishFilter.ALL); RawClients.Stomp s = new RawClients.Stomp(stomp)) {
      watcher.subscribeWith().topicFilter("cooked/stomp/#").qos(MqttQos.AT_LEAST_ONCE).send();
      assertThat(s.connect("lua-stomp", "ann", "pw")).startsWith("CONNECTED");
      s.write("SEND\ndestination:raw/st\nreceipt:r1\n\nbody");
      assertThat(s.next()).startsWith("RECEIPT");
      Mqtt5Publish got = received(publishes);
      assertThat(got.getTopic().toString()).isEqualTo("cooked/stomp/st");
      assertThat(text(got)).isEqualTo("stomp:body");
      s.write("SEND\ndestination:forbidden/st\nreceipt:r2\n\nno");
      assertThat(s.next()).startsWith("ERROR").contains("not authorized");
    }
  }

  @Test
  void a_reload_changes_the_answers_for_clients_that_stay_connected() throws Exception {
    Mqtt5BlockingClient c = mqtt("lua-reload");
    HttpClient http = HttpClient.newHttpClient();
    URI reload = URI.create("http://127.0.0.1:" + gw.apiAddress().getPort() + "/api/v5/plugins/lua/reload");
    try (var publishes = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
      watcher.subscribeWith().topicFilter("cooked/reload/#").qos(MqttQos.AT_LEAST_ONCE).send();
      watcher.subscribeWith().topicFilter("v2/#").qos(MqttQos.AT_LEAST_ONCE).send();
      Files.writeString(dir.resolve("auth.lua"), SCRIPT.replace("\"cooked/\" .. pub.protocol", "\"v2/\" .. pub.protocol"));
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(reload).header("authorization", TestGateway.apiAuthorization())
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).contains("auth.lua", "auth_on_publish");
      c.publishWith().topic("raw/after").qos(MqttQos.AT_LEAST_ONCE).payload("x".getBytes()).send();
      assertThat(received(publishes).getTopic().toString()).isEqualTo("v2/mqtt/after");
      Files.writeString(dir.resolve("auth.lua"), "function auth_on_publish(pub) return true"); // broken
      HttpResponse<String> bad = http.send(HttpRequest.newBuilder(reload).header("authorization", TestGateway.apiAuthorization())
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.body()).contains("reload failed");
      c.publishWith().topic("raw/still").qos(MqttQos.AT_LEAST_ONCE).payload("x".getBytes()).send();
      assertThat(received(publishes).getTopic().toString()).isEqualTo("v2/mqtt/still");
    } finally {
      Files.writeString(dir.resolve("auth.lua"), SCRIPT);
      http.send(HttpRequest.newBuilder(reload).header("authorization", TestGateway.apiAuthorization())
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      c.disconnect();
    }
  }
}
