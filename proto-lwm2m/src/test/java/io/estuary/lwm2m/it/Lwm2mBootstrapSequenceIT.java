package io.estuary.lwm2m.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.server.MessageDeliverer;
import org.eclipse.californium.elements.config.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bootstrap server's sequence as a device sees it, with a raw Californium device that records every
 * request and answers as each test tells it: the order and content of the requests, the device's preferred
 * content format, error answers, a second bootstrap of the same endpoint, and refused bootstrap requests.
 */
@Timeout(60)
class Lwm2mBootstrapSequenceIT {
  private static final Configuration CF = Configuration.createStandardWithoutFile();
  private Lwm2mHarness h;
  private final List<CoapServer> devices = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws Exception {
    devices.forEach(CoapServer::destroy);
    if (h != null) {
      h.close();
    }
  }

  private void start(String... extra) {
    java.util.List<String> lines = new java.util.ArrayList<>(List.of(
        "gateway.lwm2m.bootstrap.enable = true",
        "gateway.lwm2m.bootstrap.listeners.udp.default.bind = \"127.0.0.1:0\"",
        "gateway.lwm2m.bootstrap.listeners.dtls.default { enable = true, bind = \"127.0.0.1:0\", "
            + "dtls_options.psk = [{ identity = \"bs-locked\", key = \"bs-secret\", endpoint = \"locked\" }] }",
        "gateway.lwm2m.bootstrap.configs = [ { endpoint_pattern = \".*\", security = none, lifetime = 77s } ]"));
    lines.addAll(List.of(extra));
    h = new Lwm2mHarness(lines.toArray(String[]::new));
  }

  /** One received request: method, path, content format, payload. */
  record Seen(String method, String path, int format, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  /** A device on 127.0.0.1 that records requests and answers them with {@code answer} (null: no answer). */
  private final class RawDevice {
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    final CoapEndpoint endpoint;

    RawDevice(Function<Seen, Response> answer) {
      endpoint = new CoapEndpoint.Builder().setConfiguration(CF)
          .setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
      CoapServer server = new CoapServer(CF);
      server.addEndpoint(endpoint);
      server.setMessageDeliverer(new MessageDeliverer() {
        @Override
        public void deliverRequest(Exchange exchange) {
          Request r = exchange.getRequest();
          Seen s = new Seen(r.getCode().name(), "/" + r.getOptions().getUriPathString(),
              r.getOptions().getContentFormat(), r.getPayload());
          seen.add(s);
          Response out = answer.apply(s);
          if (out != null) {
            exchange.sendResponse(out);
          }
        }

        @Override
        public void deliverResponse(Exchange exchange, Response response) {
          exchange.getRequest().setResponse(response);
        }
      });
      server.start();
      devices.add(server);
    }

    CoapResponse bootstrap(String query) throws Exception {
      InetSocketAddress bs = h.gw.listener("lwm2m", "bootstrap-udp:default");
      CoapClient c = new CoapClient("coap://127.0.0.1:" + bs.getPort() + "/bs?" + query);
      c.setEndpoint(endpoint);
      c.setTimeout(10_000L);
      return c.post(new byte[0], MediaTypeRegistry.UNDEFINED);
    }
  }

  /** A well-behaved device: its bootstrap account is security instance 0. */
  private static Response well(Seen s) {
    return switch (s.method()) {
      case "GET" -> {
        Response r = new Response(ResponseCode.CONTENT);
        r.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_LINK_FORMAT);
        r.setPayload("</>;lwm2m=1.1,</0/0>,</1>,</3/0>");
        yield r;
      }
      case "DELETE" -> new Response(ResponseCode.DELETED);
      default -> new Response(ResponseCode.CHANGED);
    };
  }

  private JsonNode event(String ep, String event) {
    return h.mqtt.await("lwm2m/" + ep + "/up/bootstrap", j -> j.at("/data/event").asText().equals(event),
        Duration.ofSeconds(20));
  }

  @Test
  void a_bootstrap_discovers_deletes_writes_in_the_preferred_format_then_finishes_each_after_the_previous_answer()
      throws Exception {
    start();
    RawDevice d = new RawDevice(Lwm2mBootstrapSequenceIT::well);
    CoapResponse r = d.bootstrap("ep=raw-1&pct=" + MediaTypeRegistry.APPLICATION_SENML_JSON);
    assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
    JsonNode done = event("raw-1", "finished");
    assertThat(done.at("/data/security").asText()).isEqualTo("none");
    assertThat(d.seen).extracting(Seen::toString)
        .containsExactly("GET /", "DELETE /0", "DELETE /1", "PUT /0/1", "PUT /1/0", "POST /bs");
    Seen security = d.seen.get(3);
    assertThat(security.format()).isEqualTo(MediaTypeRegistry.APPLICATION_SENML_JSON);
    assertThat(security.text()).contains(done.at("/data/serverUri").asText());
    Seen server = d.seen.get(4);
    assertThat(server.format()).isEqualTo(MediaTypeRegistry.APPLICATION_SENML_JSON);
    assertThat(server.text()).contains("77").contains("\"U\"");
  }

  @Test
  void without_a_preferred_format_the_writes_are_tlv_and_a_bootstrap_account_at_1_keeps_its_id() throws Exception {
    start();
    RawDevice d = new RawDevice(s -> {
      if (s.method().equals("GET")) {
        Response r = new Response(ResponseCode.CONTENT);
        r.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_LINK_FORMAT);
        r.setPayload("</>;lwm2m=1.0,</0/0>;ssid=5,</0/1>,</1/0>;ssid=5,</3/0>");
        return r;
      }
      return well(s);
    });
    assertThat(d.bootstrap("ep=raw-tlv").getCode()).isEqualTo(ResponseCode.CHANGED);
    event("raw-tlv", "finished");
    assertThat(d.seen).extracting(Seen::toString).contains("PUT /0/0").doesNotContain("PUT /0/1");
    assertThat(d.seen.get(3).format()).isEqualTo(MediaTypeRegistry.APPLICATION_VND_OMA_LWM2M_TLV);
  }

  @Test
  void an_error_answer_to_a_delete_is_passed_over_and_one_to_the_finish_fails_the_bootstrap() throws Exception {
    start();
    RawDevice d = new RawDevice(s -> s.method().equals("DELETE") && s.path().equals("/1")
        ? new Response(ResponseCode.METHOD_NOT_ALLOWED)
        : s.method().equals("POST") ? new Response(ResponseCode.NOT_ACCEPTABLE) : well(s));
    assertThat(d.bootstrap("ep=raw-err").getCode()).isEqualTo(ResponseCode.CHANGED);
    JsonNode failed = event("raw-err", "failed");
    assertThat(failed.at("/data/reason").asText()).isEqualTo("finish_failed");
    assertThat(d.seen).extracting(Seen::toString)
        .containsExactly("GET /", "DELETE /0", "DELETE /1", "PUT /0/1", "PUT /1/0", "POST /bs");
    assertThat(h.mqtt.find("lwm2m/raw-err/up/bootstrap", j -> j.at("/data/event").asText().equals("finished"))).isNull();
  }

  @Test
  void a_second_bootstrap_of_an_endpoint_cancels_the_first_which_fails_as_cancelled() throws Exception {
    start();
    RawDevice silent = new RawDevice(s -> null); // never answers the discover
    assertThat(silent.bootstrap("ep=raw-twice").getCode()).isEqualTo(ResponseCode.CHANGED);
    await().atMost(Duration.ofSeconds(10)).until(() -> !silent.seen.isEmpty());
    RawDevice d = new RawDevice(Lwm2mBootstrapSequenceIT::well);
    assertThat(d.bootstrap("ep=raw-twice").getCode()).isEqualTo(ResponseCode.CHANGED);
    JsonNode failed = event("raw-twice", "failed");
    assertThat(failed.at("/data/reason").asText()).isEqualTo("cancelled");
    event("raw-twice", "finished");
    assertThat(silent.seen).extracting(Seen::toString).containsExactly("GET /");
  }

  @Test
  void an_endpoint_with_bootstrap_credentials_is_refused_over_udp_and_bad_requests_get_4_00() throws Exception {
    start();
    RawDevice d = new RawDevice(Lwm2mBootstrapSequenceIT::well);
    CoapResponse locked = d.bootstrap("ep=locked");
    assertThat(locked.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
    assertThat(locked.getResponseText()).isEqualTo("Unauthorized");
    assertThat(d.bootstrap("ep=raw-pct&pct=x").getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
    assertThat(d.bootstrap("ep=a%2Fb").getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
    assertThat(d.bootstrap("pct=110").getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
    assertThat(d.seen).isEmpty();
    // a good request right after is served: the refusals left no state behind
    assertThat(d.bootstrap("ep=raw-after").getCode()).isEqualTo(ResponseCode.CHANGED);
    event("raw-after", "finished");
    assertThat(h.mqtt.find("lwm2m/locked/up/bootstrap", j -> true)).isNull();
  }

  @Test
  void a_request_the_device_never_answers_fails_the_bootstrap_once_the_retransmissions_run_out() throws Exception {
    start("gateway.lwm2m.californium { ack_timeout = 200ms, max_retransmit = 1 }");
    RawDevice d = new RawDevice(s -> s.method().equals("PUT") ? null : well(s)); // the writes go unanswered
    assertThat(d.bootstrap("ep=raw-mute").getCode()).isEqualTo(ResponseCode.CHANGED);
    JsonNode failed = event("raw-mute", "failed");
    assertThat(failed.at("/data/reason").asText()).isEqualTo("request_failed");
    // nothing after the unanswered write (its retransmission is a duplicate the device's stack drops)
    assertThat(d.seen).extracting(Seen::toString).containsExactly("GET /", "DELETE /0", "DELETE /1", "PUT /0/1");
  }
}
