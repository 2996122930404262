package io.estuary.lwm2m.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.estuary.testkit.TestPki;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * LwM2M over DTLS with certificates (the CN is the endpoint name, the CA from cacertfile) and raw public
 * keys (the rpk entries are the security store), with real Leshan clients.
 */
@Timeout(60)
class Lwm2mCertificateIT {
  @TempDir Path dir;
  private Lwm2mHarness h;

  @AfterEach
  void stop() throws Exception {
    if (h != null) {
      h.close();
    }
  }

  private InetSocketAddress start(String dtlsOptions) {
    h = new Lwm2mHarness("gateway.lwm2m.listeners.dtls.default { enable = true, bind = \"127.0.0.1:0\", dtls_options { "
        + dtlsOptions + " } }");
    return h.gw.listener("lwm2m", "dtls:default");
  }

  private TestDevice started(TestDevice d) {
    h.open.add(d);
    return d.start();
  }

  private void registersAndTakesARead(String ep) {
    h.mqtt.await("lwm2m/" + ep + "/up/resp", j -> j.path("msgType").asText().equals("register"));
    await().atMost(Duration.ofSeconds(10)).until(() -> h.factory.adapter.sessionReady(ep));
    h.mqtt.command(ep, "{\"reqID\":1,\"msgType\":\"read\",\"data\":{\"path\":\"/3/0/0\"}}");
    JsonNode r = h.mqtt.response(ep, 1);
    assertThat(r.at("/data/code").asText()).isEqualTo("2.05");
    assertThat(r.at("/data/content/0/value").asText()).isEqualTo("Estuary");
  }

  /**
   * {@code d}'s register fails ({@code why}: the gateway's response code, or "no answer" when the DTLS
   * handshake failed), nothing about it reaches MQTT and it is not registered.
   */
  private void neverRegisters(TestDevice d, String why) {
    h.neverRegisters(d, why);
  }


  private TestPki pki;
  private TestPki.Issued server;

  /** A test CA and the gateway's certificate under it, and the gateway with X.509 DTLS ({@code extra} options appended). */
  private InetSocketAddress startX509(String extra) {
    pki = TestPki.create(dir, "lwm2m-test-ca");
    server = pki.issue("estuary-lwm2m");
    return start("certfile = \"%s\", keyfile = \"%s\", cacertfile = \"%s\", verify = verify_peer, fail_if_no_peer_cert = true"
        .formatted(server.certFile(), server.keyFile(), pki.ca().certFile()) + extra);
  }

  @Test
  void a_certificate_whose_cn_is_the_endpoint_name_registers_and_takes_commands() {
    InetSocketAddress dtls = startX509("");
    TestPki.Issued device = pki.issue("dev-x509");
    started(TestDevice.x509("dev-x509", dtls, device.certificate(), device.privateKey(), server.certificate()));
    registersAndTakesARead("dev-x509");
  }

  @Test
  void a_certificate_for_another_name_is_refused() {
    InetSocketAddress dtls = startX509("");
    TestPki.Issued other = pki.issue("dev-other");
    TestDevice d = started(TestDevice.x509("dev-impostor", dtls, other.certificate(), other.privateKey(),
        server.certificate()));
    neverRegisters(d, "FORBIDDEN"); // the handshake succeeded, the register got 4.03

    assertThat(h.factory.adapter.isAwake("dev-other")).isFalse();
  }

  @Test
  void a_certificate_from_an_unknown_ca_fails_the_handshake() {
    InetSocketAddress dtls = startX509("");
    TestPki rogueCa = TestPki.create(dir.resolve("rogue"), "rogue-ca");
    TestPki.Issued rogue = rogueCa.issue("dev-x509");
    TestDevice d = started(TestDevice.x509("dev-x509", dtls, rogue.certificate(), rogue.privateKey(),
        server.certificate()));
    neverRegisters(d, "no answer");
  }

  @Test
  void an_endpoint_in_x509_endpoints_cannot_register_over_plain_udp() {
    InetSocketAddress dtls = startX509(", x509_endpoints = [dev-x509]");
    InetSocketAddress udp = h.gw.listener("lwm2m", "udp:default");
    neverRegisters(started(new TestDevice("dev-x509", udp, 300, false)), "FORBIDDEN");
    started(new TestDevice("dev-plain", udp, 300, false));
    h.mqtt.await("lwm2m/dev-plain/up/resp", j -> j.path("msgType").asText().equals("register"));
    TestPki.Issued device = pki.issue("dev-x509");
    started(TestDevice.x509("dev-x509", dtls, device.certificate(), device.privateKey(), server.certificate()));
    registersAndTakesARead("dev-x509");
  }

  private String rpkOptions(TestPki.Issued server, KeyPair inline, Path keyFile) {
    return ("certfile = \"%s\", keyfile = \"%s\", raw_public_keys = true, verify = verify_peer, fail_if_no_peer_cert = true, "
        + "rpk = [{ endpoint = dev-rpk, key = \"%s\" }, { endpoint = dev-rpk-file, key_file = \"%s\" }]")
        .formatted(server.certFile(), server.keyFile(), Base64.getEncoder().encodeToString(inline.getPublic().getEncoded()),
            keyFile);
  }

  private Path pemPublicKey(KeyPair keys) throws Exception {
    Path f = dir.resolve("dev-rpk-file.pub.pem");
    Files.writeString(f, "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n");
    return f;
  }

  @Test
  void raw_public_keys_from_config_and_from_a_pem_file_register() throws Exception {
    TestPki.Issued server = TestPki.create(dir, "ca").issue("estuary-lwm2m");
    KeyPair inline = TestPki.ecKeys();
    KeyPair fromFile = TestPki.ecKeys();
    InetSocketAddress dtls = start(rpkOptions(server, inline, pemPublicKey(fromFile)));
    started(TestDevice.rpk("dev-rpk", dtls, inline, server.certificate().getPublicKey()));
    registersAndTakesARead("dev-rpk");
    started(TestDevice.rpk("dev-rpk-file", dtls, fromFile, server.certificate().getPublicKey()));
    h.mqtt.await("lwm2m/dev-rpk-file/up/resp", j -> j.path("msgType").asText().equals("register"));
  }

  @Test
  void a_raw_public_key_not_bound_to_the_endpoint_is_refused() throws Exception {
    TestPki.Issued server = TestPki.create(dir, "ca").issue("estuary-lwm2m");
    KeyPair trusted = TestPki.ecKeys();
    InetSocketAddress dtls = start(rpkOptions(server, trusted, pemPublicKey(TestPki.ecKeys())));
    KeyPair stranger = TestPki.ecKeys();
    neverRegisters(started(TestDevice.rpk("dev-rpk", dtls, stranger, server.certificate().getPublicKey())), "FORBIDDEN");
    // a key the store does not know, for an endpoint it does not know: a secure identity without an entry
    neverRegisters(started(TestDevice.rpk("dev-unlisted", dtls, stranger, server.certificate().getPublicKey())),
        "FORBIDDEN");
    // the trusted key presented for another endpoint is refused too
    neverRegisters(started(TestDevice.rpk("dev-rpk-file", dtls, trusted, server.certificate().getPublicKey())),
        "FORBIDDEN");
  }
}
