package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import io.estuary.testkit.ExternalPeers;
import io.estuary.testkit.TestGateway;
import io.estuary.testkit.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MQTT ssl listener with certificates from PEM files (a test CA made with {@link TestPki}, not the
 * self-signed fallback) and mutual TLS: {@code verify = verify_peer, fail_if_no_peer_cert = true}.
 */
@Timeout(60)
class MqttTlsIT {
  @TempDir Path dir;

  private TestGateway gateway(TestPki pki, TestPki.Issued server, boolean mutual) {
    String peer = mutual ? ", verify = verify_peer, fail_if_no_peer_cert = true" : "";
    return TestGateway.builder().config("""
        listeners.ssl.default { enable = true, bind = "127.0.0.1:0"
          ssl_options { certfile = "%s", keyfile = "%s", cacertfile = "%s"%s } }
        """.formatted(server.certFile(), server.keyFile(), pki.ca().certFile(), peer)).start();
  }

  private static TrustManagerFactory trusting(X509Certificate ca) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    return tmf;
  }

  private static KeyManagerFactory identity(TestPki.Issued me) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("me", me.privateKey(), new char[0], new Certificate[] {me.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    return kmf;
  }

  /** A hivemq client on the ssl listener trusting only {@code ca}, presenting {@code me} when not null. */
  private static Mqtt5BlockingClient client(TestGateway gw, String id, X509Certificate ca, TestPki.Issued me) throws Exception {
    Mqtt5ClientBuilder b = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort("ssl"));
    var ssl = b.sslConfig().trustManagerFactory(trusting(ca));
    if (me != null) {
      ssl = ssl.keyManagerFactory(identity(me));
    }
    return ssl.applySslConfig().buildBlocking();
  }

  /** What the client recorded when its connection was refused: the TLS alert in its cause chain. */
  private static SSLException tlsRefusal(Mqtt5BlockingClient c) {
    Throwable t = catchThrowable(c::connect);
    assertThat(t).as("the connection is refused").isNotNull();
    Throwable cause = t;
    while (cause != null && !(cause instanceof SSLException)) {
      cause = cause.getCause();
    }
    assertThat(cause).as("a TLS failure in %s", t).isNotNull();
    return (SSLException) cause;
  }

  @Test
  void the_ssl_listener_serves_the_certificate_from_its_pem_files() throws Exception {
    TestPki pki = TestPki.create(dir, "mqtt-test-ca");
    TestPki.Issued server = pki.issue("estuary-mqtt", "127.0.0.1");
    try (TestGateway gw = gateway(pki, server, false)) {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, trusting(pki.ca().certificate()).getTrustManagers(), null);
      try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", gw.mqttPort("ssl"))) {
        s.startHandshake();
        assertThat(s.getSession().getPeerCertificates()[0]).isEqualTo(server.certificate());
      }

      Mqtt5BlockingClient c = client(gw, "tls-1", pki.ca().certificate(), null);
      c.connect();
      try (var publishes = c.publishes(MqttGlobalPublishFilter.ALL)) {
        c.subscribeWith().topicFilter("tls/t").qos(MqttQos.AT_LEAST_ONCE).send();
        c.publishWith().topic("tls/t").qos(MqttQos.AT_LEAST_ONCE).payload("over tls".getBytes(StandardCharsets.UTF_8)).send();
        assertThat(publishes.receive(5, TimeUnit.SECONDS)).get()
            .extracting(p -> new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("over tls");
      }
      c.disconnect();

      TestPki other = TestPki.create(dir.resolve("other"), "other-ca");
      assertThat(tlsRefusal(client(gw, "tls-2", other.ca().certificate(), null)))
          .as("a client trusting another CA refuses the gateway's certificate").isNotNull();
    }
  }

  @Test
  void mutual_tls_refuses_a_client_without_a_certificate() throws Exception {
    TestPki pki = TestPki.create(dir, "mqtt-test-ca");
    try (TestGateway gw = gateway(pki, pki.issue("estuary-mqtt", "127.0.0.1"), true)) {
      SSLException e = tlsRefusal(client(gw, "no-cert", pki.ca().certificate(), null));
      // TLS 1.3 names it certificate_required; the JDK engine behind Netty answers bad_certificate
      assertThat(e.getMessage()).containsAnyOf("certificate_required", "bad_certificate");
      assertThat(gw.session("no-cert")).isNull();
    }
  }

  @Test
  void mutual_tls_accepts_a_certificate_from_the_configured_ca() throws Exception {
    TestPki pki = TestPki.create(dir, "mqtt-test-ca");
    TestPki.Issued device = pki.issue("device-1");
    try (TestGateway gw = gateway(pki, pki.issue("estuary-mqtt", "127.0.0.1"), true)) {
      Mqtt5BlockingClient c = client(gw, "with-cert", pki.ca().certificate(), device);
      c.connect();
      assertThat(gw.session("with-cert").state()).isEqualTo("connected");
      c.disconnect();
    }
  }

  @Test
  void mutual_tls_refuses_a_certificate_from_another_ca() throws Exception {
    TestPki pki = TestPki.create(dir, "mqtt-test-ca");
    TestPki.Issued rogue = TestPki.create(dir.resolve("rogue"), "rogue-ca").issue("device-1");
    try (TestGateway gw = gateway(pki, pki.issue("estuary-mqtt", "127.0.0.1"), true)) {
      SSLException e = tlsRefusal(client(gw, "rogue", pki.ca().certificate(), rogue));
      assertThat(e.getMessage()).containsAnyOf("bad_certificate", "unknown_ca", "certificate_unknown");
      assertThat(gw.session("rogue")).isNull();
    }
  }

  @Test
  void mosquitto_pub_with_a_client_certificate_publishes_over_mutual_tls() throws Exception {
    ExternalPeers.require(Files.isExecutable(Path.of("/usr/bin/mosquitto_pub")), "mosquitto-clients not installed");
    TestPki pki = TestPki.create(dir, "mqtt-test-ca");
    TestPki.Issued device = pki.issue("device-m");
    try (TestGateway gw = gateway(pki, pki.issue("estuary-mqtt", "127.0.0.1"), true)) {
      Mqtt5BlockingClient sub = client(gw, "mtls-sub", pki.ca().certificate(), pki.issue("sub"));
      sub.connect();
      try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
        sub.subscribeWith().topicFilter("mtls/#").qos(MqttQos.AT_LEAST_ONCE).send();
        Process pub = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(gw.mqttPort("ssl")),
            "--cafile", pki.ca().certFile().toString(), "--cert", device.certFile().toString(),
            "--key", device.keyFile().toString(), "-q", "1", "-t", "mtls/openssl", "-m", "from openssl")
            .redirectErrorStream(true).start();
        assertThat(pub.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(pub.exitValue()).as(new String(pub.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        assertThat(publishes.receive(10, TimeUnit.SECONDS)).get()
            .extracting(p -> new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("from openssl");
      }
      sub.disconnect();

      Process refused = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(gw.mqttPort("ssl")),
          "--cafile", pki.ca().certFile().toString(), "-t", "mtls/x", "-m", "no cert").redirectErrorStream(true).start();
      assertThat(refused.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(refused.exitValue()).as("mosquitto_pub without a certificate fails").isNotZero();
    }
  }
}
