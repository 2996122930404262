package io.estuary.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.estuary.cf.CfSettings;
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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code estuary ctl trace start client=ID} and the gateway client listing for CoAP clients. */
@Timeout(60)
class CoapTraceIT {
  static final ObjectMapper JSON = new ObjectMapper();
  private TestGateway gw;
  private InetSocketAddress coap;
  private final List<CoapClient> clients = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    gw = TestGateway.builder()
        .config("gateway.coap.listeners.udp.default.bind = \"127.0.0.1:0\"")
        .adapter(new CoapAdapterFactory())
        .start();
    coap = gw.listener("coap", "udp:default");
  }

  @AfterEach
  void stop() {
    clients.forEach(c -> {
      c.getEndpoint().destroy();
      c.shutdown();
    });
    gw.close();
  }

  private CoapClient client(String pathAndQuery) {
    CoapClient c = new CoapClient("coap://127.0.0.1:" + coap.getPort() + pathAndQuery);
    c.setEndpoint(new CoapEndpoint.Builder().setConfiguration(CfSettings.DEFAULTS.toConfiguration()).build());
    c.setTimeout(5_000L);
    clients.add(c);
    return c;
  }

  private HttpResponse<String> api(String method, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gw.apiAddress().getPort() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .header("Authorization", TestGateway.apiAuthorization()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void trace_holds_the_traced_clients_requests_responses_and_notifications_and_not_another_clients() throws Exception {
    assertThat(api("POST", "/api/v5/trace/clients/coap-traced").statusCode()).isEqualTo(200);
    String token = client("/mqtt/connection?clientid=coap-traced").post("", 0).getResponseText();
    List<CoapResponse> got = new CopyOnWriteArrayList<>();
    CoapObserveRelation rel = client("/ps/trace/%23?clientid=coap-traced&token=" + token).observe(CoapPubSubIT.handler(got));
    await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1);
    assertThat(client("/ps/trace/own?clientid=coap-traced&token=" + token).put("ping", 0).getCode())
        .isEqualTo(ResponseCode.CHANGED);
    assertThat(client("/ps/trace/other?clientid=coap-other").post("abc", 0).getCode()).isEqualTo(ResponseCode.CHANGED);
    await().atMost(Duration.ofSeconds(5)).until(() -> got.size() >= 3);
    rel.proactiveCancel();

    HttpResponse<String> stop = api("DELETE", "/api/v5/trace/clients/coap-traced");
    assertThat(stop.statusCode()).isEqualTo(200);
    Path file = Path.of(JSON.readTree(stop.body()).path("file").asText());
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines).as("%s", lines)
        .anyMatch(l -> l.contains(" coap IN  coap-traced CON POST mid=") && l.contains("/mqtt/connection?clientid=coap-traced ")
            && l.endsWith("payload=0 bytes"))
        .anyMatch(l -> l.contains(" coap OUT coap-traced ACK 2.01 mid=") && l.endsWith("payload=" + token.length() + " bytes"))
        .anyMatch(l -> l.contains(" coap IN  coap-traced CON GET mid=") && l.contains("/ps/trace/#?clientid=coap-traced&token=*** observe=0"))
        .anyMatch(l -> l.contains(" coap OUT coap-traced ACK 2.05 mid=") && l.contains(" observe="))
        .anyMatch(l -> l.contains(" coap IN  coap-traced CON PUT mid=") && l.contains("/ps/trace/own?") && l.endsWith("payload=4 bytes"))
        .anyMatch(l -> l.contains(" coap OUT coap-traced ACK 2.04 mid="))
        // the observer's notification of its own publish
        .anyMatch(l -> l.contains(" coap OUT coap-traced ") && l.contains(" 2.05 ") && l.contains(" observe=")
            && l.endsWith("payload=4 bytes"))
        // another client's publish reaches the traced observer: its notification is the traced client's packet
        .anyMatch(l -> l.contains(" coap OUT coap-traced ") && l.contains(" 2.05 ") && l.endsWith("payload=3 bytes"))
        .noneMatch(l -> l.contains("coap-other"))
        .noneMatch(l -> l.contains(token));
  }

  @Test
  void listing_shows_a_coap_clients_observation_count_and_observed_topics() throws Exception {
    List<CoapResponse> got = new CopyOnWriteArrayList<>();
    client("/ps/listed/a?clientid=coap-listed").observe(CoapPubSubIT.handler(got));
    client("/ps/listed/b/%23?clientid=coap-listed").observe(CoapPubSubIT.handler(got));
    await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 2);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      HttpResponse<String> r = api("GET", "/api/v5/gateways/coap/clients/coap-listed");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode c = JSON.readTree(r.body());
      assertThat(c.path("observations").asInt()).as(r.body()).isEqualTo(2);
      assertThat(c.path("observed").toString()).as(r.body()).isEqualTo("[\"listed/a\",\"listed/b/#\"]");
    });
  }
}
