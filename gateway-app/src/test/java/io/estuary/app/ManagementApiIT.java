package io.estuary.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.estuary.testkit.TestGateway;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The management HTTP API as docs/operations.md documents it, over real HTTP with java.net.http. */
@Timeout(60)
class ManagementApiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private TestGateway gw;

  @BeforeEach
  void start() {
    gw = TestGateway.builder().start();
  }

  @AfterEach
  void stop() {
    gw.close();
  }

  private HttpResponse<String> call(String method, String path) throws Exception {
    return callAs(TestGateway.apiAuthorization(), method, path);
  }

  /** A call with {@code authorization} as the Authorization header (null = none). */
  private HttpResponse<String> callAs(String authorization, String method, String path) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.apiAddress().getPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String key, String secret) {
    return "Basic " + Base64.getEncoder().encodeToString((key + ":" + secret).getBytes(StandardCharsets.UTF_8));
  }

  private static void assertRefused(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode e = JSON.readTree(r.body());
    assertThat(e.get("code").asText()).isEqualTo("BAD_API_KEY_OR_SECRET");
    assertThat(e.get("message").asText()).isNotBlank();
    assertThat(r.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
  }

  @Test
  void an_unauthenticated_client_list_is_refused_with_401_and_a_json_error() throws Exception {
    connected("api-secret-device");
    HttpResponse<String> r = callAs(null, "GET", "/api/v5/clients");
    assertRefused(r);
    assertThat(r.body()).doesNotContain("api-secret-device");
    assertRefused(callAs(null, "DELETE", "/api/v5/clients/api-secret-device"));
    assertThat(gw.session("api-secret-device")).as("the unauthenticated kick did nothing").isNotNull();
    assertThat(gw.metrics().counter("api.auth_failures").count()).isEqualTo(2.0);
  }

  @Test
  void a_wrong_secret_or_unknown_key_is_refused_with_401() throws Exception {
    assertRefused(callAs(basic(TestGateway.API_KEY, "not-the-secret"), "GET", "/api/v5/clients"));
    assertRefused(callAs(basic("nobody", TestGateway.API_SECRET), "GET", "/api/v5/stats"));
    assertRefused(callAs("Bearer " + TestGateway.API_SECRET, "GET", "/api/v5/listeners"));
  }

  @Test
  void a_created_key_works_survives_a_restart_and_is_stored_only_as_a_hash(@TempDir Path data) throws Exception {
    gw.close();
    gw = TestGateway.builder().config("persistence.dir = \"" + data + "\"").start();
    HttpResponse<String> created = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gw.apiAddress().getPort() + "/api/v5/api_key"))
        .header("Authorization", TestGateway.apiAuthorization()).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"ops\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
    JsonNode k = JSON.readTree(created.body());
    assertThat(k.get("name").asText()).isEqualTo("ops");
    String key = k.get("api_key").asText();
    String secret = k.get("api_secret").asText();
    assertThat(callAs(basic(key, secret), "GET", "/api/v5/clients").statusCode()).isEqualTo(200);
    assertThat(getJson("/api/v5/api_key").get("data").toString()).contains("ops").doesNotContain(secret);

    Path stored = gw.dataDir().resolve("api_keys");
    assertThat(Files.readString(stored)).contains(key).doesNotContain(secret);
    assertThat(Files.getPosixFilePermissions(stored)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

    gw.close();
    gw = TestGateway.builder().config("persistence.dir = \"" + data + "\"").start();
    assertThat(callAs(basic(key, secret), "GET", "/api/v5/clients").statusCode()).as("after a restart").isEqualTo(200);
  }

  @Test
  void a_created_key_can_kick() throws Exception {
    var c = gw.gateway().apiKeys().create("kicker");
    AtomicReference<Throwable> cause = new AtomicReference<>();
    Mqtt5BlockingClient victim = Mqtt5Client.builder().identifier("api-kicked-by-key").serverHost("127.0.0.1")
        .serverPort(gw.mqttPort()).addDisconnectedListener(ctx -> cause.set(ctx.getCause())).buildBlocking();
    victim.connect();
    assertThat(callAs(basic(c.key(), c.secret()), "DELETE", "/api/v5/clients/api-kicked-by-key").statusCode()).isEqualTo(204);
    await().atMost(Duration.ofSeconds(10)).until(() -> cause.get() != null);
  }

  @Test
  void status_and_metrics_stay_open_by_default_and_need_a_key_when_configured() throws Exception {
    assertThat(callAs(null, "GET", "/status").statusCode()).isEqualTo(200);
    assertThat(callAs(null, "GET", "/metrics").statusCode()).isEqualTo(200);
    gw.close();
    gw = TestGateway.builder().config("api { status_auth = true, metrics_auth = true }").start();
    assertRefused(callAs(null, "GET", "/status"));
    assertRefused(callAs(null, "GET", "/metrics"));
    assertThat(call("GET", "/metrics").statusCode()).isEqualTo(200);
  }

  @Test
  void the_client_list_is_paged_with_emqx_meta() throws Exception {
    for (int i = 0; i < 5; i++) {
      connected("page-" + i);
    }
    JsonNode p1 = getJson("/api/v5/clients?page=1&limit=2");
    assertThat(p1.get("data")).hasSize(2);
    assertThat(p1.get("data").get(0).get("clientid").asText()).isEqualTo("page-0");
    assertThat(p1.get("meta").get("page").asInt()).isEqualTo(1);
    assertThat(p1.get("meta").get("limit").asInt()).isEqualTo(2);
    assertThat(p1.get("meta").get("count").asInt()).isEqualTo(5);
    assertThat(p1.get("meta").get("hasnext").asBoolean()).isTrue();
    JsonNode p3 = getJson("/api/v5/clients?page=3&limit=2");
    assertThat(p3.get("data")).hasSize(1);
    assertThat(p3.get("data").get(0).get("clientid").asText()).isEqualTo("page-4");
    assertThat(p3.get("meta").get("hasnext").asBoolean()).isFalse();
    HttpResponse<String> bad = call("GET", "/api/v5/clients?limit=0");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(bad.body()).get("code").asText()).isEqualTo("BAD_REQUEST");
    assertThat(JSON.readTree(bad.body()).get("message").asText()).contains("limit");
  }

  @Test
  void an_idle_connection_is_closed_and_an_oversized_request_is_refused() throws Exception {
    gw.close();
    gw = TestGateway.builder().config("api { idle_timeout = 300ms, max_request_size = 2kB }").start();
    try (Socket s = new Socket("127.0.0.1", gw.apiAddress().getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET /status HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII)); // never finished
      assertThat(s.getInputStream().read()).as("the server closed the idle connection").isEqualTo(-1);
    }
    assertThat(gw.metrics().counter("api.idle_closed").count()).isEqualTo(1.0);
    HttpResponse<String> big = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gw.apiAddress().getPort() + "/api/v5/api_key"))
        .header("Authorization", TestGateway.apiAuthorization())
        .POST(HttpRequest.BodyPublishers.ofString("x".repeat(8192))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(big.statusCode()).isEqualTo(413);
  }

  @Test
  void the_api_binds_loopback_by_default() {
    var c = io.estuary.core.config.ConfigLoader.load(null, java.util.Map.of());
    assertThat(c.managementBind().getAddress().isLoopbackAddress()).isTrue();
    assertThat(c.managementBind().getPort()).isEqualTo(18083);
  }

  private JsonNode getJson(String path) throws Exception {
    HttpResponse<String> r = call("GET", path);
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    return JSON.readTree(r.body());
  }

  private Mqtt5BlockingClient connected(String id) {
    Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort())
        .buildBlocking();
    c.connect();
    return c;
  }

  @Test
  void status_answers_that_the_node_is_started() throws Exception {
    HttpResponse<String> r = call("GET", "/status");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).startsWith("Node estuary-test@127.0.0.1 is started\n");
  }

  @Test
  void clients_lists_every_session_and_one_client_by_id() throws Exception {
    Mqtt5BlockingClient c = connected("api-listed");
    c.subscribeWith().topicFilter("api/#").qos(MqttQos.AT_LEAST_ONCE).send();
    JsonNode all = getJson("/api/v5/clients");
    assertThat(all.get("data")).anySatisfy(s -> {
      assertThat(s.get("clientid").asText()).isEqualTo("api-listed");
      assertThat(s.get("protocol").asText()).isEqualTo("mqtt");
      assertThat(s.get("proto_name").asText()).isEqualTo("MQTT");
      assertThat(s.get("connected").asBoolean()).isTrue();
      assertThat(s.get("conn_state").asText()).isEqualTo("connected");
      assertThat(s.get("subscriptions_cnt").asInt()).isEqualTo(1);
    });
    JsonNode one = getJson("/api/v5/clients/api-listed");
    assertThat(one.get("clientid").asText()).isEqualTo("api-listed");
    assertThat(one.get("ip_address").asText()).isEqualTo("127.0.0.1");
    assertThat(one.get("port").asInt()).isPositive();
    assertThat(one.get("connected_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    HttpResponse<String> missing = call("GET", "/api/v5/clients/nobody");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(missing.body()).get("code").asText()).isEqualTo("CLIENTID_NOT_FOUND");
    assertThat(JSON.readTree(missing.body()).get("message").asText()).contains("nobody");
    c.disconnect();
  }

  @Test
  void delete_kicks_the_client_with_administrative_action_and_discards_its_session() throws Exception {
    AtomicReference<Throwable> cause = new AtomicReference<>();
    Mqtt5BlockingClient c = Mqtt5Client.builder().identifier("api-kicked").serverHost("127.0.0.1")
        .serverPort(gw.mqttPort()).addDisconnectedListener(ctx -> cause.set(ctx.getCause())).buildBlocking();
    c.connectWith().cleanStart(false).sessionExpiryInterval(600).send();

    HttpResponse<String> r = call("DELETE", "/api/v5/clients/api-kicked");
    assertThat(r.statusCode()).isEqualTo(204);
    await().atMost(Duration.ofSeconds(10)).until(() -> cause.get() != null);
    assertThat(cause.get()).isInstanceOf(Mqtt5DisconnectException.class);
    assertThat(((Mqtt5DisconnectException) cause.get()).getMqttMessage().getReasonCode())
        .isEqualTo(Mqtt5DisconnectReasonCode.ADMINISTRATIVE_ACTION);
    await().atMost(Duration.ofSeconds(10)).until(() -> call("GET", "/api/v5/clients/api-kicked").statusCode() == 404);
    assertThat(call("DELETE", "/api/v5/clients/api-kicked").statusCode()).isEqualTo(404);
  }

  @Test
  void stats_and_metrics_count_connections_and_subscriptions() throws Exception {
    Mqtt5BlockingClient a = connected("api-a");
    Mqtt5BlockingClient b = connected("api-b");
    b.subscribeWith().topicFilter("s/1").send();
    b.subscribeWith().topicFilter("s/2").send();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      JsonNode list = getJson("/api/v5/stats");
      assertThat(list.isArray()).as("EMQX lists stats per node").isTrue();
      JsonNode stats = list.get(0);
      assertThat(stats.get("node").asText()).isEqualTo("estuary-test@127.0.0.1");
      assertThat(stats.get("connections.count").asInt()).isEqualTo(2);
      assertThat(stats.get("connections.by_protocol").get("mqtt").asInt()).isEqualTo(2);
      assertThat(stats.get("sessions.count").asInt()).isEqualTo(2);
      assertThat(stats.get("subscriptions.count").asInt()).isEqualTo(2);
    });
    HttpResponse<String> metrics = call("GET", "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(metrics.body()).containsPattern("(?m)^estuary_connections_count(\\{[^}]*\\})? 2\\.0$")
        .containsPattern("(?m)^estuary_subscriptions_count(\\{[^}]*\\})? 2\\.0$");
    a.disconnect();
    b.disconnect();
  }

  @Test
  void listeners_names_the_bound_mqtt_listener() throws Exception {
    JsonNode listeners = getJson("/api/v5/listeners");
    assertThat(listeners).anySatisfy(l -> {
      assertThat(l.get("protocol").asText()).isEqualTo("mqtt");
      assertThat(l.get("name").asText()).isEqualTo("tcp:default");
      assertThat(l.toString()).contains(Integer.toString(gw.mqttPort()));
    });
  }

  @Test
  void an_unknown_path_is_404() throws Exception {
    assertThat(call("GET", "/api/v5/nothing").statusCode()).isEqualTo(404);
  }
}
