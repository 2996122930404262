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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.apiAddress().getPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
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
      assertThat(s.get("clientId").asText()).isEqualTo("api-listed");
      assertThat(s.get("protocol").asText()).isEqualTo("mqtt");
      assertThat(s.get("state").asText()).isEqualTo("connected");
      assertThat(s.get("subscriptions").asInt()).isEqualTo(1);
    });
    JsonNode one = getJson("/api/v5/clients/api-listed");
    assertThat(one.get("clientId").asText()).isEqualTo("api-listed");
    assertThat(one.get("peer").asText()).contains("127.0.0.1");
    HttpResponse<String> missing = call("GET", "/api/v5/clients/nobody");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(missing.body()).get("code").asText()).isEqualTo("CLIENTID_NOT_FOUND");
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
      JsonNode stats = getJson("/api/v5/stats");
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
