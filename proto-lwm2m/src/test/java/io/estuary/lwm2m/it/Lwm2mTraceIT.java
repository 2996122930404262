package io.estuary.lwm2m.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.estuary.testkit.TestGateway;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code estuary ctl trace start client=<endpoint>} and the gateway client listing for LwM2M endpoints. */
@Timeout(60)
class Lwm2mTraceIT {
  static final ObjectMapper JSON = new ObjectMapper();
  private Lwm2mHarness h;
  private InetSocketAddress lwm2m;

  @BeforeEach
  void start() {
    h = new Lwm2mHarness("gateway.lwm2m.command_timeout = 5s");
    lwm2m = h.gw.listener("lwm2m", "udp:default");
  }

  @AfterEach
  void stop() throws Exception {
    h.close();
  }

  private TestDevice device(String ep) {
    TestDevice d = new TestDevice(ep, lwm2m, 300, false);
    h.open.add(d);
    return d.start();
  }

  private void registered(String ep) {
    h.mqtt.await("lwm2m/" + ep + "/up/resp", j -> j.path("msgType").asText().equals("register"));
  }

  private HttpResponse<String> api(String method, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + h.gw.apiAddress().getPort() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .header("Authorization", TestGateway.apiAuthorization()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void trace_holds_the_endpoints_registration_operations_answers_and_notifications_and_not_another_endpoints()
      throws Exception {
    HttpResponse<String> start = api("POST", "/api/v5/trace/clients/lw-traced");
    assertThat(start.statusCode()).as(start.body()).isEqualTo(200);
    Path file = Path.of(JSON.readTree(start.body()).path("file").asText());
    TestDevice d = device("lw-traced");
    device("lw-other");
    registered("lw-traced");
    registered("lw-other");
    h.mqtt.command("lw-other", "{\"reqID\":1,\"msgType\":\"read\",\"data\":{\"path\":\"/3/0/0\"}}");
    h.mqtt.command("lw-traced", "{\"reqID\":1,\"msgType\":\"read\",\"data\":{\"path\":\"/3/0/0\"}}");
    assertThat(h.mqtt.response("lw-traced", 1).at("/data/code").asText()).isEqualTo("2.05");
    h.mqtt.command("lw-traced", "{\"reqID\":2,\"msgType\":\"write\",\"data\":{\"path\":\"/19999/0/1\",\"type\":\"String\",\"value\":\"kitchen\"}}");
    assertThat(h.mqtt.response("lw-traced", 2).at("/data/code").asText()).isEqualTo("2.04");
    h.mqtt.command("lw-traced", "{\"reqID\":3,\"msgType\":\"observe\",\"data\":{\"path\":\"/19999/0/0\"}}");
    assertThat(h.mqtt.response("lw-traced", 3).at("/data/code").asText()).isEqualTo("2.05");
    d.counter.increment();
    h.mqtt.await("lwm2m/lw-traced/up/notify", j -> j.at("/data/content/0/value").asLong() == 1);
    d.close(); // deregisters
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(file).contains("DEREGISTER -> 2.02 DELETED"));

    HttpResponse<String> stop = api("DELETE", "/api/v5/trace/clients/lw-traced");
    assertThat(stop.statusCode()).isEqualTo(200);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines).as("%s", lines)
        .anyMatch(l -> l.contains(" lwm2m IN  lw-traced REGISTER ep=lw-traced ") && l.contains(" lifetime=300 ")
            && l.contains(" binding=U ") && l.contains("/3/0") && l.contains("/19999/0"))
        .anyMatch(l -> l.contains(" lwm2m OUT lw-traced REGISTER -> 2.01 CREATED location=/rd/"))
        .anyMatch(l -> l.contains(" lwm2m OUT lw-traced READ /3/0/0"))
        .anyMatch(l -> l.contains(" lwm2m IN  lw-traced READ /3/0/0 -> CONTENT(205) payload="))
        .anyMatch(l -> l.contains(" lwm2m OUT lw-traced WRITE /19999/0/1"))
        .anyMatch(l -> l.contains(" lwm2m IN  lw-traced WRITE /19999/0/1 -> CHANGED(204)"))
        .anyMatch(l -> l.contains(" lwm2m OUT lw-traced OBSERVE /19999/0/0"))
        .anyMatch(l -> l.contains(" lwm2m IN  lw-traced OBSERVE /19999/0/0 -> CONTENT(205)"))
        .anyMatch(l -> l.contains(" lwm2m IN  lw-traced NOTIFY /19999/0/0 CONTENT(205) payload="))
        .anyMatch(l -> l.contains(" lwm2m IN  lw-traced DEREGISTER /rd/"))
        .anyMatch(l -> l.contains(" lwm2m OUT lw-traced DEREGISTER -> 2.02 DELETED"))
        .noneMatch(l -> l.contains("lw-other"))
        .noneMatch(l -> l.contains("Estuary") || l.contains("kitchen")); // values never, sizes only
  }

  @Test
  void listing_shows_an_endpoints_objects_lifetime_binding_queue_mode_and_last_update() throws Exception {
    Instant before = Instant.now().minusSeconds(1);
    device("lw-listed");
    registered("lw-listed");
    HttpResponse<String> r = api("GET", "/api/v5/gateways/lwm2m/clients/lw-listed");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode c = JSON.readTree(r.body());
    assertThat(c.path("lifetime").asLong()).as(r.body()).isEqualTo(300);
    assertThat(c.path("binding").asText()).as(r.body()).isEqualTo("U");
    assertThat(c.path("queue_mode").asBoolean()).as(r.body()).isFalse();
    assertThat(List.of(c.path("objects").asText().split(","))).as(r.body()).contains("/1/0", "/3/0", "/19999/0");
    assertThat(Instant.parse(c.path("last_update").asText())).as(r.body()).isAfter(before);
  }
}
