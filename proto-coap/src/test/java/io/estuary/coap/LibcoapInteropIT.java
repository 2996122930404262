package io.estuary.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.estuary.coap.support.CoapHarness;
import io.estuary.core.api.Message;
import io.estuary.core.api.Payload;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Interop with libcoap's {@code coap-client} (Debian libcoap3-bin); skipped when it is not installed. */
@Timeout(60)
class LibcoapInteropIT {
  private static String coapClient;

  @BeforeAll
  static void findBinary() {
    for (String name : List.of("coap-client", "coap-client-notls", "coap-client-openssl", "coap-client-gnutls")) {
      for (String dir : List.of("/usr/bin", "/usr/local/bin")) {
        if (new File(dir, name).canExecute()) {
          coapClient = dir + "/" + name;
          return;
        }
      }
    }
  }

  private static String run(String... args) throws Exception {
    Process p = start(args);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("coap-client finished").isTrue();
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  private static Process start(String... args) throws Exception {
    assumeTrue(coapClient != null, "libcoap coap-client not installed");
    List<String> cmd = new ArrayList<>(List.of(coapClient));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  @Test
  void coap_client_connects_publishes_and_disconnects() throws Exception {
    assumeTrue(coapClient != null, "libcoap coap-client not installed");
    try (CoapHarness h = new CoapHarness("connection_required = true")) {
      String token = run("-m", "post", "-e", "", h.uri("/mqtt/connection?clientid=lib1&username=u&password=p")).trim();
      assertThat(token).matches("[0-9a-f]{16}");
      run("-m", "put", "-t", "text/plain", "-e", "hello libcoap", h.uri("/ps/interop/t?clientid=lib1&token=" + token));
      await().atMost(Duration.ofSeconds(5)).until(() -> !h.broker.published.isEmpty());
      Message m = h.broker.published.get(0);
      assertThat(m.topic()).isEqualTo("interop/t");
      assertThat(m.payload().asUtf8()).isEqualTo("hello libcoap");
      assertThat(m.properties().contentType()).isEqualTo("text/plain");
      run("-m", "delete", h.uri("/mqtt/connection?clientid=lib1&token=" + token));
      await().atMost(Duration.ofSeconds(5)).until(() -> h.broker.session("lib1") == null);
    }
  }

  @Test
  void coap_client_observes_and_receives_a_notification() throws Exception {
    assumeTrue(coapClient != null, "libcoap coap-client not installed");
    try (CoapHarness h = new CoapHarness()) {
      Process p = start("-s", "4", h.uri("/ps/interop/%2B/v?clientid=lib2"));
      await().atMost(Duration.ofSeconds(10)).until(() -> h.broker.session("lib2") != null
          && h.broker.session("lib2").subscriptions.containsKey("interop/+/v"));
      h.broker.publishFromMqtt(Message.of("interop/x/v", Payload.utf8("observed-by-libcoap"), 0, false));
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(out).contains("observed-by-libcoap");
    }
  }
}
