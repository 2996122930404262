package io.estuary.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.coap.support.CoapGateway;
import io.estuary.testkit.ExternalPeers;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Interop with libcoap's {@code coap-client} (Debian libcoap3-bin installs it as {@code coap-client-notls},
 * {@code coap-client-openssl} and {@code coap-client-gnutls}); skipped when none is installed.
 */
@Timeout(60)
class LibcoapInteropIT {
  private static String coapClient;
  /** A build with DTLS (the notls one has none). */
  private static String dtlsClient;

  @BeforeAll
  static void findBinary() {
    coapClient = find("coap-client", "coap-client-notls", "coap-client-openssl", "coap-client-gnutls");
    dtlsClient = find("coap-client-openssl", "coap-client-gnutls");
  }

  private static String find(String... names) {
    for (String name : names) {
      for (String dir : List.of("/usr/bin", "/usr/local/bin")) {
        if (new File(dir, name).canExecute()) {
          return dir + "/" + name;
        }
      }
    }
    return null;
  }

  private static String run(String... args) throws Exception {
    Process p = start(args);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("coap-client finished").isTrue();
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  private static Process start(String... args) throws Exception {
    ExternalPeers.require(coapClient != null, "libcoap coap-client not installed");
    return exec(coapClient, args);
  }

  private static Process exec(String binary, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(binary));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  @Test
  void coap_client_connects_publishes_and_disconnects() throws Exception {
    ExternalPeers.require(coapClient != null, "libcoap coap-client not installed");
    try (CoapGateway h = CoapGateway.start("connection_required = true")) {
      List<Mqtt5Publish> got = h.mqttSubscribe("interop/#");
      String token = run("-m", "post", "-e", "", h.uri("/mqtt/connection?clientid=lib1&username=u&password=p")).trim();
      assertThat(token).matches("[0-9a-f]{16}");
      assertThat(h.scrape("estuary_coap_known_sources")).as("the 2.01 alone proves nothing").isZero();
      run("-m", "put", "-t", "text/plain", "-e", "hello libcoap", h.uri("/ps/interop/t?clientid=lib1&token=" + token));
      assertThat(h.scrape("estuary_coap_known_sources")).as("the token used: 127.0.0.1 is known").isEqualTo(1.0);
      await().atMost(Duration.ofSeconds(5)).until(() -> !got.isEmpty());
      Mqtt5Publish m = got.get(0);
      assertThat(m.getTopic().toString()).isEqualTo("interop/t");
      assertThat(CoapGateway.text(m)).isEqualTo("hello libcoap");
      assertThat(m.getContentType()).hasValueSatisfying(ct -> assertThat(ct.toString()).isEqualTo("text/plain"));
      run("-m", "delete", h.uri("/mqtt/connection?clientid=lib1&token=" + token));
      await().atMost(Duration.ofSeconds(5)).until(() -> h.session("lib1") == null);
    }
  }

  @Test
  void coap_client_observes_and_receives_a_notification() throws Exception {
    ExternalPeers.require(coapClient != null, "libcoap coap-client not installed");
    try (CoapGateway h = CoapGateway.start()) {
      Process p = start("-s", "4", h.uri("/ps/interop/%2B/v?clientid=lib2"));
      await().atMost(Duration.ofSeconds(10)).until(() -> h.subscriptions("lib2") == 1);
      // libcoap answers the gateway's ping with a RST: the observer is proven and its address known
      await().atMost(Duration.ofSeconds(10)).until(() -> h.scrape("estuary_coap_known_sources") == 1.0);
      assertThat(h.count("coap.half_open.proven")).isEqualTo(1.0);
      h.mqttPublish("interop/x/v", "observed-by-libcoap", 0);
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(out).contains("observed-by-libcoap");
    }
  }

  @Test
  void coap_client_with_dtls_psk_publishes_as_its_identity() throws Exception {
    ExternalPeers.require(dtlsClient != null, "no DTLS build of libcoap coap-client (coap-client-openssl / -gnutls)");
    try (CoapGateway h = CoapGateway.start("listeners.dtls.default { enable = true, bind = \"127.0.0.1:0\", "
        + "dtls_options { psk = [{ identity = lib-psk, key = \"libcoap-secret\" }], identity_as = clientid } }")) {
      List<Mqtt5Publish> got = h.mqttSubscribe("interop/#");
      int port = h.gw.listener("coap", "dtls:default").getPort();
      Process p = exec(dtlsClient, "-u", "lib-psk", "-k", "libcoap-secret", "-m", "post", "-e", "over coaps",
          "coaps://127.0.0.1:" + port + "/ps/interop/dtls?qos=1");
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("coap-client finished").isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> !got.isEmpty());
      assertThat(CoapGateway.text(got.get(0))).isEqualTo("over coaps");
      assertThat(h.session("lib-psk")).isNull(); // a connectionless publish opens no session
    }
  }

  @Test
  void coap_client_with_an_x509_certificate_publishes_as_its_cn(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    ExternalPeers.require(dtlsClient != null, "no DTLS build of libcoap coap-client (coap-client-openssl / -gnutls)");
    io.estuary.testkit.TestPki pki = io.estuary.testkit.TestPki.create(dir, "interop-ca");
    io.estuary.testkit.TestPki.Issued server = pki.issue("127.0.0.1");
    io.estuary.testkit.TestPki.Issued device = pki.issue("lib-cert");
    try (CoapGateway h = CoapGateway.start("listeners.dtls.default { enable = true, bind = \"127.0.0.1:0\", "
        + "dtls_options { certfile = \"" + server.certFile() + "\", keyfile = \"" + server.keyFile() + "\", "
        + "cacertfile = \"" + pki.ca().certFile() + "\", verify = verify_peer, fail_if_no_peer_cert = true, "
        + "identity_as = clientid } }")) {
      List<Mqtt5Publish> got = h.mqttSubscribe("interop/#");
      int port = h.gw.listener("coap", "dtls:default").getPort();
      Process p = exec(dtlsClient, "-c", device.certFile().toString(), "-j", device.keyFile().toString(),
          "-R", pki.ca().certFile().toString(), "-m", "post", "-e", "cert ok",
          "coaps://127.0.0.1:" + port + "/ps/interop/x509");
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("coap-client finished").isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      await(out).atMost(Duration.ofSeconds(5)).until(() -> !got.isEmpty());
      assertThat(CoapGateway.text(got.get(0))).isEqualTo("cert ok");
    }
  }
}
