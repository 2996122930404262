package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estuary.testkit.TestGateway;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code webhooks.max_registrations} (issue #13: no table grows without a bound) through the management API: the
 * refused registration's 409, what stays registered, the counter and gauge on {@code /metrics}, and a config with more
 * endpoints than the limit refused at start.
 */
@Timeout(60)
class WebhookRegistrationsIT {
  private TestGateway gw;

  @AfterEach
  void close() {
    if (gw != null) {
      gw.close();
    }
  }

  private HttpResponse<String> api(String method, String pathAndQuery, String body) throws Exception {
    var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.apiAddress().getPort() + pathAndQuery))
        .header("authorization", TestGateway.apiAuthorization()).header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
    return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> register(String hook, String endpoint, boolean base64) throws Exception {
    return api("POST", "/api/v5/webhooks",
        "{\"hook\":\"" + hook + "\",\"endpoint\":\"" + endpoint + "\",\"base64payload\":" + base64 + "}");
  }

  private String metrics() throws Exception {
    return api("GET", "/metrics", null).body();
  }

  @Test
  void a_new_pair_beyond_max_registrations_is_refused_with_409_and_counted() throws Exception {
    gw = TestGateway.builder().config("""
        api.bind = "127.0.0.1:0"
        webhooks {
          enable = true
          max_registrations = 3
          endpoints { reg { hook = auth_on_register, endpoint = "http://127.0.0.1:9/a" } }
        }
        """).start();
    assertThat(register("on_client_gone", "http://127.0.0.1:9/a", true).statusCode()).isEqualTo(201);
    assertThat(register("on_client_gone", "http://127.0.0.1:9/b", true).statusCode()).isEqualTo(201);
    // the same pair again replaces its options: not a new registration, at the limit too
    assertThat(register("on_client_gone", "http://127.0.0.1:9/b", false).statusCode()).isEqualTo(201);

    HttpResponse<String> refused = register("on_client_gone", "http://127.0.0.1:9/c", true);
    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(refused.body()).contains("\"code\":\"MAX_REGISTRATIONS\"", "webhooks.max_registrations (3)");
    HttpResponse<String> otherServer = register("on_publish", "http://127.0.0.2:9/a", true);
    assertThat(otherServer.statusCode()).isEqualTo(409);
    // a new hook for an endpoint already registered, and the _m5 variant of a registered hook: new pairs too
    assertThat(register("on_publish", "http://127.0.0.1:9/a", true).statusCode()).isEqualTo(409);
    assertThat(register("auth_on_register_m5", "http://127.0.0.1:9/a", true).statusCode()).isEqualTo(409);
    String shown = api("GET", "/api/v5/webhooks", null).body();
    assertThat(shown).contains("http://127.0.0.1:9/b").doesNotContain("/c\"", "127.0.0.2");
    assertThat(shown).contains("\"base64payload\":false"); // the replacement took
    String m = metrics();
    assertThat(m).contains("estuary_webhooks_registrations_refused_total{reason=\"max_registrations\"} 4.0",
        "estuary_webhooks_registrations_count 3.0");

    // a place freed by a deregistration is taken by the next new pair
    assertThat(api("DELETE", "/api/v5/webhooks?hook=ON_CLIENT_GONE&endpoint="
        + URLEncoder.encode("http://127.0.0.1:9/a", StandardCharsets.UTF_8), null).statusCode()).isEqualTo(204);
    assertThat(register("on_client_gone", "http://127.0.0.1:9/c", true).statusCode()).isEqualTo(201);
    assertThat(metrics()).contains("estuary_webhooks_registrations_refused_total{reason=\"max_registrations\"} 4.0",
        "estuary_webhooks_registrations_count 3.0");
  }

  @Test
  void a_pair_configured_twice_stops_the_start() {
    assertThatThrownBy(() -> TestGateway.builder().config("""
        webhooks {
          enable = true
          endpoints {
            a { hook = auth_on_register, endpoint = "http://127.0.0.1:9/a" }
            b { hook = AUTH_ON_REGISTER, endpoint = "http://127.0.0.1:9/a" }
          }
        }
        """).start()).hasMessageContaining("webhooks.endpoints.b").hasMessageContaining("webhooks.endpoints.a");
  }

  @Test
  void more_configured_endpoints_than_max_registrations_stop_the_start() {
    assertThatThrownBy(() -> TestGateway.builder().config("""
        webhooks {
          enable = true
          max_registrations = 1
          endpoints {
            a { hook = auth_on_register, endpoint = "http://127.0.0.1:9/a" }
            b { hook = on_client_gone, endpoint = "http://127.0.0.1:9/a" }
          }
        }
        """).start()).hasMessageContaining("webhooks.max_registrations");
  }
}
