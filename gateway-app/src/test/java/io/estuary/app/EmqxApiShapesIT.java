package io.estuary.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.api.AdapterConfig;
import io.estuary.api.AdapterStatus;
import io.estuary.api.GatewayContext;
import io.estuary.api.ProtocolAdapter;
import io.estuary.api.ProtocolAdapterFactory;
import io.estuary.testkit.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The management API against the shapes EMQX 5 documents for the same calls: field names of a client, a
 * subscription, a topic, a retained message, paging {@code meta}, per-node stats and metrics lists,
 * {@code {code, message}} errors, the gateways listing and the OpenAPI document.
 */
@Timeout(120)
class EmqxApiShapesIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The keys of one item of EMQX 5's {@code GET /api/v5/clients} example that Estuary serves. */
  private static final Set<String> EMQX_CLIENT_KEYS = Set.of("clientid", "username", "proto_name", "proto_ver",
      "ip_address", "port", "node", "connected", "connected_at", "disconnected_at", "clean_start", "subscriptions_cnt",
      "mqueue_len", "inflight_cnt");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().adapter(byProtocol("mqttsn"))
        .config("gateway.mqttsn.listeners.udp.default.bind = \"127.0.0.1:0\"").start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static ProtocolAdapterFactory byProtocol(String protocol) {
    for (ProtocolAdapterFactory f : ServiceLoader.load(ProtocolAdapterFactory.class)) {
      if (f.protocol().equals(protocol)) {
        return f;
      }
    }
    throw new IllegalStateException("no adapter " + protocol + " on the class path");
  }

  static HttpResponse<String> call(TestGateway g, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.apiAddress().getPort() + path))
        .header("Authorization", TestGateway.apiAuthorization()).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode get(String path) throws Exception {
    HttpResponse<String> r = call(gw, "GET", path, null);
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  static Mqtt5BlockingClient connect(String id) {
    Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    c.connectWith().simpleAuth().username("user-" + id).applySimpleAuth().send();
    return c;
  }

  static void assertError(HttpResponse<String> r, int status, String code) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonNode e = JSON.readTree(r.body());
    assertThat(e.get("code").asText()).isEqualTo(code);
    assertThat(e.get("message").asText()).isNotBlank();
  }

  @Test
  void a_client_carries_emqxs_snake_case_fields_and_the_list_filters_by_username_state_and_protocol() throws Exception {
    Mqtt5BlockingClient c = connect("shape-client");
    try {
      JsonNode page = get("/api/v5/clients?username=user-shape-client");
      assertThat(page.get("meta").get("count").asInt()).isEqualTo(1);
      JsonNode item = page.get("data").get(0);
      List<String> keys = new ArrayList<>();
      item.fieldNames().forEachRemaining(keys::add);
      assertThat(keys).containsAll(EMQX_CLIENT_KEYS);
      assertThat(item.get("clientid").asText()).isEqualTo("shape-client");
      assertThat(item.get("proto_name").asText()).isEqualTo("MQTT");
      assertThat(item.get("ip_address").asText()).isEqualTo("127.0.0.1");
      assertThat(item.get("clean_start").asBoolean()).isTrue();
      assertThat(get("/api/v5/clients?conn_state=disconnected&clientid=shape-client").get("data")).isEmpty();
      assertThat(get("/api/v5/clients?protocol=mqttsn&clientid=shape-client").get("data")).isEmpty();
      assertThat(get("/api/v5/clients?proto_name=MQTT&clientid=shape-client").get("data")).hasSize(1);
    } finally {
      c.disconnect();
    }
  }

  @Test
  void subscriptions_and_topics_list_in_emqxs_shape() throws Exception {
    Mqtt5BlockingClient c = connect("shape-sub");
    try {
      c.subscribeWith().topicFilter("shape/+/temp").qos(MqttQos.AT_LEAST_ONCE).noLocal(true).send();
      JsonNode mine = get("/api/v5/clients/shape-sub/subscriptions");
      assertThat(mine).hasSize(1);
      assertThat(mine.get(0).get("topic").asText()).isEqualTo("shape/+/temp");
      assertThat(mine.get(0).get("qos").asInt()).isEqualTo(1);
      assertThat(mine.get(0).get("nl").asInt()).isEqualTo(1);
      assertThat(mine.get(0).get("rap").asInt()).isZero();
      assertThat(mine.get(0).get("rh").asInt()).isZero();
      assertThat(mine.get(0).get("clientid").asText()).isEqualTo("shape-sub");
      assertThat(mine.get(0).has("node")).isTrue();
      JsonNode all = get("/api/v5/subscriptions?match_topic=shape/kitchen/temp");
      assertThat(all.get("data")).anySatisfy(s -> assertThat(s.get("clientid").asText()).isEqualTo("shape-sub"));
      assertThat(all.get("meta").has("hasnext")).isTrue();
      assertThat(get("/api/v5/subscriptions?match_topic=other/x").get("data")).isEmpty();
      JsonNode topics = get("/api/v5/topics?topic=shape/%2B/temp");
      assertThat(topics.get("data")).hasSize(1);
      assertThat(topics.get("data").get(0).get("topic").asText()).isEqualTo("shape/+/temp");
      assertError(call(gw, "GET", "/api/v5/clients/nobody/subscriptions", null), 404, "CLIENTID_NOT_FOUND");
    } finally {
      c.disconnect();
    }
  }

  @Test
  void publish_delivers_answers_202_without_subscribers_and_refuses_bad_input() throws Exception {
    Mqtt5BlockingClient sub = connect("shape-receiver");
    try (Mqtt5BlockingClient.Mqtt5Publishes inbox = sub.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
      sub.subscribeWith().topicFilter("shape/pub").qos(MqttQos.AT_LEAST_ONCE).send();
      HttpResponse<String> ok = call(gw, "POST", "/api/v5/publish",
          "{\"topic\":\"shape/pub\",\"payload\":\"aGVsbG8=\",\"payload_encoding\":\"base64\",\"qos\":1}");
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      assertThat(JSON.readTree(ok.body()).get("id").asText()).matches("[0-9a-f]{32}");
      Mqtt5Publish p = inbox.receive(10, TimeUnit.SECONDS).orElseThrow();
      assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
      HttpResponse<String> nobody = call(gw, "POST", "/api/v5/publish", "{\"topic\":\"shape/nobody\",\"payload\":\"x\"}");
      assertThat(nobody.statusCode()).isEqualTo(202);
      assertThat(JSON.readTree(nobody.body()).get("reason_code").asInt()).isEqualTo(16);
      assertError(call(gw, "POST", "/api/v5/publish", "{\"topic\":\"a\",\"qos\":3}"), 400, "BAD_REQUEST");
      assertError(call(gw, "POST", "/api/v5/publish", "not json"), 400, "BAD_REQUEST");
      assertError(call(gw, "GET", "/api/v5/publish", null), 405, "METHOD_NOT_ALLOWED");
    } finally {
      sub.disconnect();
    }
  }

  @Test
  void retained_messages_are_listed_read_and_deleted_without_a_publish() throws Exception {
    Mqtt5BlockingClient pub = connect("shape-retainer");
    pub.publishWith().topic("shape/ret/a").payload("kept".getBytes(StandardCharsets.UTF_8)).retain(true)
        .qos(MqttQos.AT_LEAST_ONCE).send();
    pub.disconnect();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(get("/api/v5/mqtt/retainer/messages").get("data")).anySatisfy(m -> {
          assertThat(m.get("topic").asText()).isEqualTo("shape/ret/a");
          assertThat(m.get("qos").asInt()).isEqualTo(1);
          assertThat(m.get("from_clientid").asText()).isEqualTo("shape-retainer");
          assertThat(m.get("publish_at").asText()).endsWith("Z");
        }));
    JsonNode one = get("/api/v5/mqtt/retainer/message/shape%2Fret%2Fa");
    assertThat(new String(Base64.getDecoder().decode(one.get("payload").asText()), StandardCharsets.UTF_8)).isEqualTo("kept");
    assertThat(get("/api/v5/retainer/messages?topic=shape/ret/%2B").get("meta").get("count").asInt()).isEqualTo(1);
    assertThat(call(gw, "DELETE", "/api/v5/mqtt/retainer/message/shape/ret/a", null).statusCode()).isEqualTo(204);
    assertError(call(gw, "GET", "/api/v5/mqtt/retainer/message/shape/ret/a", null), 404, "NOT_FOUND");
    assertError(call(gw, "DELETE", "/api/v5/mqtt/retainer/message/shape/ret/a", null), 404, "NOT_FOUND");
  }

  @Test
  void stats_and_metrics_are_per_node_lists_or_one_object_when_aggregated() throws Exception {
    JsonNode stats = get("/api/v5/stats");
    assertThat(stats.isArray()).isTrue();
    assertThat(stats.get(0).get("node").asText()).isEqualTo("estuary-test@127.0.0.1");
    assertThat(stats.get(0).has("connections.count")).isTrue();
    assertThat(stats.get(0).has("live_connections.count")).isTrue();
    assertThat(get("/api/v5/stats?aggregate=true").has("node")).isFalse();
    JsonNode metrics = get("/api/v5/metrics");
    assertThat(metrics.isArray()).isTrue();
    assertThat(metrics.get(0).has("messages.received")).isTrue();
  }

  @Test
  void gateways_list_each_adapter_with_status_connections_and_listeners() throws Exception {
    JsonNode gws = get("/api/v5/gateways");
    assertThat(gws).anySatisfy(g -> {
      assertThat(g.get("name").asText()).isEqualTo("mqttsn");
      assertThat(g.get("status").asText()).isEqualTo("running");
      assertThat(g.get("current_connections").asInt()).isZero();
      assertThat(g.get("listeners").get(0).get("id").asText()).isEqualTo("mqttsn:udp:default");
      assertThat(g.get("listeners").get(0).get("bind").asText()).startsWith("127.0.0.1:");
    });
    assertThat(gws).noneSatisfy(g -> assertThat(g.get("name").asText()).isEqualTo("mqtt"));
    assertThat(get("/api/v5/gateways/mqttsn/clients").get("meta").get("count").asInt()).isZero();
    assertError(call(gw, "GET", "/api/v5/gateways/nothing", null), 404, "RESOURCE_NOT_FOUND");
    assertError(call(gw, "GET", "/api/v5/gateways/nothing/clients", null), 404, "RESOURCE_NOT_FOUND");
  }

  @Test
  void the_openapi_document_is_served_and_names_every_emqx_path() throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + gw.apiAddress().getPort() + "/api-docs")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode doc = JSON.readTree(r.body());
    assertThat(doc.get("openapi").asText()).startsWith("3.");
    for (String p : List.of("/api/v5/clients", "/api/v5/clients/{clientid}/subscriptions", "/api/v5/subscriptions",
        "/api/v5/topics", "/api/v5/mqtt/retainer/messages", "/api/v5/publish", "/api/v5/gateways",
        "/api/v5/gateways/{name}/clients", "/api/v5/stats", "/api/v5/metrics", "/status")) {
      assertThat(doc.get("paths").has(p)).as(p).isTrue();
    }
  }

  /** An adapter that starts and then reports FAILED, as one whose socket died would. */
  static final class FailedAdapterFactory implements ProtocolAdapterFactory {
    @Override
    public String protocol() {
      return "broken";
    }

    @Override
    public String configPath() {
      return "";
    }

    @Override
    public ProtocolAdapter create(AdapterConfig config, GatewayContext context) {
      return new ProtocolAdapter() {
        @Override
        public CompletionStage<Void> start() {
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> stop(Duration grace) {
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public AdapterStatus status() {
          return AdapterStatus.FAILED;
        }
      };
    }
  }

  @Test
  void status_answers_503_while_an_adapter_has_failed() throws Exception {
    try (TestGateway failing = TestGateway.builder().adapter(new FailedAdapterFactory()).start()) {
      HttpResponse<String> r = call(failing, "GET", "/status", null);
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).contains("adapter broken: failed");
      assertThat(call(gw, "GET", "/status", null).statusCode()).isEqualTo(200);
    }
  }
}
