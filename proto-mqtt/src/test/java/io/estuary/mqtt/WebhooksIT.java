package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.estuary.testkit.TestGateway;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Webhooks as vmq_webhooks against a real HTTP server started here, which answers as a VerneMQ webhook
 * service would: errors, next, modifiers, base64 payloads, cache-control; registrations from the config
 * and at run time through the management API ({@code estuary ctl webhooks}).
 */
@Timeout(60)
class WebhooksIT {
  static final ObjectMapper JSON = new ObjectMapper();
  /** Every request the service got: "hook body". */
  static final List<String> requests = new CopyOnWriteArrayList<>();
  static HttpServer service;
  static TestGateway gw;
  static String base;

  record Req(String hook, JsonNode body) {}

  static List<Req> got(String hook) {
    return requests.stream().map(r -> {
      try {
        return new Req(r.substring(0, r.indexOf(' ')), JSON.readTree(r.substring(r.indexOf(' ') + 1)));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }).filter(r -> r.hook().equals(hook)).toList();
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** The webhook service's rules, by hook and request. */
  static void answer(HttpExchange ex) throws IOException {
    String hook = ex.getRequestHeaders().getFirst("vernemq-hook");
    JsonNode body = JSON.readTree(ex.getRequestBody());
    requests.add(hook + " " + body);
    String out = "{\"result\":\"next\"}";
    String cache = null;
    switch (hook) {
      case "auth_on_register" -> {
        String user = body.path("username").asText();
        if (user.equals("evil")) {
          out = "{\"result\":{\"error\":\"not_allowed\"}}";
        } else if (user.equals("tenant")) {
          out = "{\"result\":\"ok\",\"modifiers\":{\"mountpoint\":\"wht/\",\"client_id\":\"wh-renamed\"}}";
        } else if (user.equals("cached")) {
          out = "{\"result\":\"ok\"}";
          cache = "max-age=60";
        }
      }
      case "auth_on_publish" -> {
        String topic = body.path("topic").asText();
        if (topic.startsWith("wh/deny")) {
          out = "{\"result\":{\"error\":\"not_allowed\"}}";
        } else if (topic.startsWith("wh/rewrite")) {
          String p = new String(Base64.getDecoder().decode(body.path("payload").asText()), StandardCharsets.UTF_8);
          out = "{\"result\":\"ok\",\"modifiers\":{\"topic\":\"wh/rewritten\",\"payload\":\"" + b64("hook:" + p) + "\",\"qos\":1}}";
        }
      }
      case "auth_on_subscribe" -> {
        StringBuilder topics = new StringBuilder();
        for (JsonNode t : body.path("topics")) {
          String f = t.path("topic").asText();
          topics.append(topics.length() == 0 ? "" : ",").append("{\"topic\":\"").append(f).append("\",\"qos\":")
              .append(f.startsWith("wh/forbidden") ? 128 : t.path("qos").asInt()).append('}');
        }
        out = "{\"result\":\"ok\",\"topics\":[" + topics + "]}";
      }
      case "on_deliver" -> {
        if (body.path("topic").asText().equals("wh/deliver")) {
          out = "{\"result\":\"ok\",\"modifiers\":{\"payload\":\"" + b64("delivered") + "\"}}";
        }
      }
      default -> out = "{}"; // notifications: the answer is ignored
    }
    byte[] b = out.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("content-type", "application/json");
    if (cache != null) {
      ex.getResponseHeaders().set("cache-control", cache);
    }
    ex.sendResponseHeaders(200, b.length);
    ex.getResponseBody().write(b);
    ex.close();
  }

  @BeforeAll
  static void start() throws IOException {
    service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    service.createContext("/hooks", WebhooksIT::answer);
    service.start();
    base = "http://127.0.0.1:" + service.getAddress().getPort() + "/hooks";
    gw = TestGateway.builder().config("""
        api.bind = "127.0.0.1:0"
        webhooks {
          enable = true
          endpoints {
            reg { hook = auth_on_register, endpoint = "%1$s" }
            pub { hook = auth_on_publish, endpoint = "%1$s" }
            sub { hook = auth_on_subscribe, endpoint = "%1$s" }
            dlv { hook = on_deliver, endpoint = "%1$s" }
            gone { hook = on_client_gone, endpoint = "%1$s" }
          }
        }
        """.formatted(base)).start();
  }

  @AfterAll
  static void stop() {
    gw.close();
    service.stop(0);
  }

  static Mqtt5BlockingClient client(String id, String user) {
    var c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    c.connectWith().simpleAuth().username(user).password("pw".getBytes()).applySimpleAuth().send();
    return c;
  }

  static HttpResponse<String> api(String method, String pathAndQuery, String body) throws Exception {
    var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.apiAddress().getPort() + pathAndQuery))
        .header("authorization", TestGateway.apiAuthorization()).header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
    return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void auth_on_register_gets_vernemq_s_fields_and_its_error_refuses_the_client() {
    var c = Mqtt5Client.builder().identifier("wh-evil").serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    var e = catchThrowableOfType(() -> c.connectWith().simpleAuth().username("evil").password("pw".getBytes())
        .applySimpleAuth().send(), Mqtt5ConnAckException.class);
    assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    JsonNode b = got("auth_on_register").stream().filter(r -> r.body().path("client_id").asText().equals("wh-evil"))
        .findFirst().orElseThrow().body();
    assertThat(b.path("username").asText()).isEqualTo("evil");
    assertThat(b.path("password").asText()).isEqualTo("pw");
    assertThat(b.path("peer_addr").asText()).isEqualTo("127.0.0.1");
    assertThat(b.path("peer_port").asInt()).isPositive();
    assertThat(b.path("mountpoint").asText()).isEmpty();
    assertThat(b.path("protocol").asText()).isEqualTo("mqtt");
  }

  @Test
  void register_modifiers_rename_the_session_and_mount_its_topics() throws Exception {
    var watcher = client("wh-mod-watcher", "alice");
    var c = client("wh-mod", "tenant");
    try (var watched = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
      watcher.subscribeWith().topicFilter("wht/#").qos(MqttQos.AT_LEAST_ONCE).send();
      c.publishWith().topic("sensor/1").qos(MqttQos.AT_LEAST_ONCE).payload("7".getBytes()).send();
      assertThat(watched.receive(10, TimeUnit.SECONDS).orElseThrow().getTopic().toString()).isEqualTo("wht/sensor/1");
      assertThat(gw.session("wh-renamed")).isNotNull();
      assertThat(gw.session("wh-mod")).isNull();
    } finally {
      c.disconnect();
      watcher.disconnect();
    }
  }

  @Test
  void an_ok_with_max_age_is_cached_and_the_endpoint_is_not_asked_again() {
    client("wh-cached", "cached").disconnect();
    client("wh-cached", "cached").disconnect();
    assertThat(got("auth_on_register").stream().filter(r -> r.body().path("username").asText().equals("cached"))).hasSize(1);
  }

  @Test
  void publish_modifiers_rewrite_topic_base64_payload_and_qos_and_an_error_drops_the_message() throws Exception {
    var sub = client("wh-sub", "u");
    var pub = client("wh-pub", "u");
    try (var in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
      sub.subscribeWith().topicFilter("wh/#").qos(MqttQos.AT_LEAST_ONCE).send();
      var refused = catchThrowableOfType(() -> pub.publishWith().topic("wh/deny").payload("x".getBytes())
          .qos(MqttQos.AT_LEAST_ONCE).send(), Mqtt5PubAckException.class);
      assertThat(refused.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
      pub.publishWith().topic("wh/rewrite").payload("p".getBytes()).send();
      var m = in.receive(10, TimeUnit.SECONDS).orElseThrow();
      assertThat(m.getTopic().toString()).isEqualTo("wh/rewritten");
      assertThat(new String(m.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("hook:p");
      assertThat(m.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
    }
    JsonNode req = got("auth_on_publish").stream().filter(r -> r.body().path("topic").asText().equals("wh/rewrite"))
        .findFirst().orElseThrow().body();
    assertThat(req.path("payload").asText()).isEqualTo(b64("p"));
    assertThat(req.path("qos").asInt()).isZero();
    assertThat(req.path("retain").asBoolean()).isFalse();
    sub.disconnect();
    pub.disconnect();
  }

  @Test
  void a_subscription_the_service_answers_qos_128_for_is_refused() {
    var c = client("wh-subscriber", "u");
    var e = catchThrowableOfType(() -> c.subscribeWith()
        .addSubscription().topicFilter("wh/forbidden/#").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
        .addSubscription().topicFilter("wh/allowed").qos(MqttQos.AT_MOST_ONCE).applySubscription().send(),
        Mqtt5SubAckException.class);
    assertThat(e.getMqttMessage().getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED,
        Mqtt5SubAckReasonCode.GRANTED_QOS_0);
    c.disconnect();
    await().atMost(Duration.ofSeconds(10)).until(() -> got("on_client_gone").stream()
        .anyMatch(r -> r.body().path("client_id").asText().equals("wh-subscriber")));
  }

  @Test
  void on_deliver_modifiers_rewrite_the_payload_the_subscriber_gets() throws Exception {
    var sub = client("wh-dsub", "u");
    var pub = client("wh-dpub", "u");
    try (var in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
      sub.subscribeWith().topicFilter("wh/deliver").qos(MqttQos.AT_LEAST_ONCE).send();
      pub.publishWith().topic("wh/deliver").payload("raw".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();
      var m = in.receive(10, TimeUnit.SECONDS).orElseThrow();
      assertThat(new String(m.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("delivered");
    }
    sub.disconnect();
    pub.disconnect();
  }

  @Test
  void webhooks_registered_and_deregistered_at_run_time_through_the_api() throws Exception {
    String endpoint = base + "?runtime";
    var r = api("POST", "/api/v5/webhooks", "{\"hook\":\"on_register\",\"endpoint\":\"" + endpoint + "\"}");
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(api("GET", "/api/v5/webhooks", null).body()).contains("\"hook\":\"on_register\"", endpoint);
    client("wh-runtime-1", "u").disconnect();
    await().atMost(Duration.ofSeconds(10)).until(() -> got("on_register").stream()
        .anyMatch(q -> q.body().path("client_id").asText().equals("wh-runtime-1")));
    var d = api("DELETE", "/api/v5/webhooks?hook=on_register&endpoint=" + URLEncoder.encode(endpoint, StandardCharsets.UTF_8), null);
    assertThat(d.statusCode()).isEqualTo(204);
    assertThat(api("GET", "/api/v5/webhooks", null).body()).doesNotContain("\"hook\":\"on_register\"");
    client("wh-runtime-2", "u").disconnect();
    // the sentinel: on_client_gone (still registered) of the second client comes after its on_register would have
    await().atMost(Duration.ofSeconds(10)).until(() -> got("on_client_gone").stream()
        .anyMatch(q -> q.body().path("client_id").asText().equals("wh-runtime-2")));
    assertThat(got("on_register")).noneMatch(q -> q.body().path("client_id").asText().equals("wh-runtime-2"));
    assertThat(api("POST", "/api/v5/webhooks", "{\"hook\":\"on_nothing\",\"endpoint\":\"" + endpoint + "\"}").statusCode())
        .isEqualTo(400);
  }

  @Test
  void an_endpoint_registered_for_a_hook_and_its_m5_variant_is_told_once_with_the_m5_body() throws Exception {
    String endpoint = base + "?pair";
    assertThat(api("POST", "/api/v5/webhooks", "{\"hook\":\"on_subscribe\",\"endpoint\":\"" + endpoint + "\"}")
        .statusCode()).isEqualTo(201);
    assertThat(api("POST", "/api/v5/webhooks", "{\"hook\":\"on_subscribe_m5\",\"endpoint\":\"" + endpoint + "\"}")
        .statusCode()).isEqualTo(201);
    var c = client("wh-pair", "u");
    c.subscribeWith().topicFilter("pair/#").send();
    c.disconnect();
    await().atMost(Duration.ofSeconds(10)).until(() -> got("on_client_gone").stream()
        .anyMatch(q -> q.body().path("client_id").asText().equals("wh-pair")));
    assertThat(got("on_subscribe_m5").stream().filter(q -> q.body().path("client_id").asText().equals("wh-pair")))
        .hasSize(1);
    assertThat(got("on_subscribe").stream().filter(q -> q.body().path("client_id").asText().equals("wh-pair"))).isEmpty();
  }
}
