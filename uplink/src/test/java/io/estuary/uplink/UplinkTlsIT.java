package io.estuary.uplink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.testkit.TestGateway;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TLS to the upstream broker, with a CA and server certificate made by the test. */
@Timeout(60)
class UplinkTlsIT {

  static X509Certificate cert(X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys, boolean ca) throws Exception {
    Instant now = Instant.now();
    var b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minusSeconds(60)),
        Date.from(now.plus(Duration.ofDays(1))), subject, subjectKeys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    if (!ca) {
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
    }
    var signer = new JcaContentSignerBuilder("SHA256withRSA").build(issuerKeys.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(b.build(signer));
  }

  static void pem(Path file, Object o) throws Exception {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(o);
    }
    Files.writeString(file, sw.toString());
  }

  /**
   * Writes {@code ca.pem}, {@code server.pem}/{@code server.key} (CN=localhost, SAN 127.0.0.1 and
   * localhost) and {@code client.pem}/{@code client.key} (CN=estuary-gw), all RSA 2048, into {@code dir}.
   */
  static void writePki(Path dir) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair caKeys = g.generateKeyPair();
    KeyPair serverKeys = g.generateKeyPair();
    KeyPair clientKeys = g.generateKeyPair();
    X500Name caName = new X500Name("CN=estuary-test-ca");
    pem(dir.resolve("ca.pem"), cert(caName, caKeys, caName, caKeys, true));
    pem(dir.resolve("server.pem"), cert(new X500Name("CN=localhost"), serverKeys, caName, caKeys, false));
    pem(dir.resolve("server.key"), serverKeys.getPrivate());
    pem(dir.resolve("client.pem"), cert(new X500Name("CN=estuary-gw"), clientKeys, caName, caKeys, false));
    pem(dir.resolve("client.key"), clientKeys.getPrivate()); // PKCS#1 "RSA PRIVATE KEY" from the PEM writer
    dir.toFile().setReadable(true, false);
  }

  @Test
  void mutual_tls_presents_the_client_certificate_to_an_upstream_that_requires_one() throws Exception {
    Path dir = Files.createTempDirectory("uplink-mtls");
    writePki(dir);
    String uplink = """
        uplink.cloud {
          enable = true
          server = "127.0.0.1:%d"
          ssl { enable = true, cacertfile = "%s" %s }
          reconnect { min = 100ms, max = 500ms }
          forwards = [{ filter = "devices/#", remote_topic = "up/${topic}", qos = 1 }]
          subscriptions = [{ remote_filter = "cloud/#", local_topic = "${topic}", qos = 1 }]
        }
        """;
    try (Mosquitto up = Mosquitto.launch("cafile " + dir.resolve("ca.pem") + "\ncertfile " + dir.resolve("server.pem")
             + "\nkeyfile " + dir.resolve("server.key") + "\nrequire_certificate true\n")) {
      // without a client certificate the upstream refuses the handshake: never connected, the error is reported
      try (TestGateway anonymous = TestGateway.builder()
          .config(uplink.formatted(up.port(), dir.resolve("ca.pem"), ""))
          .adapter(new UplinkAdapterFactory()).start()) {
        await().atMost(Duration.ofSeconds(20)).until(() -> !UplinkMosquittoIT.status(anonymous).contains("\"last_error\":\"\""));
        assertThat(UplinkMosquittoIT.status(anonymous)).contains("\"connected\":false", "\"last_connected_at\":0");
      }
      String withCert = ", certfile = \"%s\", keyfile = \"%s\"".formatted(dir.resolve("client.pem"), dir.resolve("client.key"));
      try (TestGateway gw = TestGateway.builder()
          .config(uplink.formatted(up.port(), dir.resolve("ca.pem"), withCert))
          .adapter(new UplinkAdapterFactory()).start();
           Clients.Recorder local = Clients.connect(gw.mqttPort()).subscribe("cloud/#", 1)) {
        await().atMost(Duration.ofSeconds(20)).until(() -> UplinkMosquittoIT.status(gw).contains("\"connected\":true"));
        local.publish("devices/x", "over-mtls", 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> UplinkMosquittoIT.status(gw).contains("\"forwarded\":1"));
      }
    }
  }

  @Test
  void forwards_over_tls_verifying_the_upstream_certificate_and_host_name() throws Exception {
    Path dir = Files.createTempDirectory("uplink-tls");
    writePki(dir);

    try (Mosquitto up = Mosquitto.launch("cafile " + dir.resolve("ca.pem") + "\ncertfile " + dir.resolve("server.pem")
             + "\nkeyfile " + dir.resolve("server.key") + "\n")) {
      try (TestGateway gw = TestGateway.builder()
          .config("""
              uplink.cloud {
                enable = true
                server = "127.0.0.1:%d"
                ssl { enable = true, cacertfile = "%s" }
                reconnect { min = 100ms, max = 500ms }
                forwards = [{ filter = "devices/#", remote_topic = "${topic}", qos = 1 }]
                subscriptions = [{ remote_filter = "cloud/#", local_topic = "${topic}", qos = 1 }]
              }
              """.formatted(up.port(), dir.resolve("ca.pem")))
          .adapter(new UplinkAdapterFactory())
          .start();
           Clients.Recorder local = Clients.connect(gw.mqttPort()).subscribe("devices/#", 1).subscribe("cloud/#", 1)) {
        await().atMost(Duration.ofSeconds(20)).until(() -> UplinkMosquittoIT.status(gw).contains("\"connected\":true"));
        local.publish("devices/x", "over-tls", 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> UplinkMosquittoIT.status(gw).contains("\"forwarded\":1"));
      }
    }
  }
}
