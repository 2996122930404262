package io.estuary.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.tcp.codec.Hex;
import io.estuary.testkit.TestGateway;
import io.estuary.testkit.TestPki;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS listeners (a client certificate's CN as the device identity, optional and required client certificates) and
 * listeners behind a load balancer speaking the PROXY protocol v1 and v2.
 */
@Timeout(60)
class TlsAndProxyIT {
  @TempDir Path dir;
  private TestPki pki;
  private TestGateway gw;
  private Mqtt5BlockingClient mqtt;
  private Mqtt5BlockingClient.Mqtt5Publishes publishes;

  @BeforeEach
  void start() {
    pki = TestPki.create(dir, "test-ca");
    TestPki.Issued server = pki.issue("localhost", "127.0.0.1");
    String ssl = "certfile = \"%s\", keyfile = \"%s\", cacertfile = \"%s\"".formatted(server.certFile(), server.keyFile(),
        pki.ca().certFile());
    gw = TestGateway.builder().adapter(new TcpAdapterFactory()).config("""
        gateway.tcp.listeners.tcp.default.bind = "127.0.0.1:0"
        gateway.tcp.listeners.ssl.default {
          bind = "127.0.0.1:0"
          ssl_options { %1$s, verify = verify_peer, fail_if_no_peer_cert = false }
        }
        gateway.tcp.listeners.ssl.meters {
          bind = "127.0.0.1:0"
          ssl_options { %1$s, verify = verify_peer, fail_if_no_peer_cert = true }
          framing { type = length_field, length_field { size = 2, strip = 2 } }
          identity { from = certificate_cn }
        }
        gateway.tcp.listeners.tcp.lb {
          bind = "127.0.0.1:0"
          proxy_protocol = true
          proxy_protocol_timeout = 1s
          framing { type = line }
          identity { from = peer_address }
        }
        gateway.tcp.listeners.tcp.lbemqx { bind = "127.0.0.1:0", proxy_protocol = true }
        """.formatted(ssl)).start();
    mqtt = Mqtt5Client.builder().identifier("app").serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    mqtt.connect();
    publishes = mqtt.publishes(MqttGlobalPublishFilter.ALL);
    mqtt.subscribeWith().topicFilter("tcp/+/up").send();
  }

  @AfterEach
  void stop() {
    publishes.close();
    mqtt.disconnect();
    gw.close();
  }

  private Mqtt5Publish next() throws InterruptedException {
    return publishes.receive(10, TimeUnit.SECONDS).orElseThrow();
  }

  private RawDevice tls(String listener, TestPki.Issued me) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", pki.ca().certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (me != null) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("me", me.privateKey(), new char[0], new Certificate[] {me.certificate()});
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    InetSocketAddress at = gw.listener("tcp", listener);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(at.getAddress(), at.getPort());
    return new RawDevice(s);
  }

  @Test
  void the_client_certificate_cn_names_a_length_prefixed_device() throws Exception {
    try (RawDevice d = tls("ssl:meters", pki.issue("meter-9"))) {
      d.writeHex("00 02 10 20");
      Mqtt5Publish p = next();
      assertThat(p.getTopic().toString()).isEqualTo("tcp/meter-9/up");
      assertThat(Hex.of(p.getPayloadAsBytes())).isEqualTo("10 20");
      assertThat(gw.session("meter-9").attributes()).containsEntry("listener", "ssl:meters");
    }
  }

  @Test
  void a_device_without_a_certificate_is_refused_where_one_is_required() throws Exception {
    try (RawDevice d = tls("ssl:meters", null)) {
      // read without writing: the read drives the handshake and then meets the server's alert; a write after the
      // TLS 1.3 handshake could instead race the server's close and fail with a broken pipe
      Throwable t = catchThrowable(() -> d.read(1));
      assertThat(t).as("the TLS alert the device sees").isInstanceOf(SSLException.class);
    }
    assertThat(gw.sessions()).noneMatch(s -> s.protocol().equals("tcp"));
  }

  @Test
  void emqx_framing_over_tls_works_without_a_client_certificate_where_it_is_optional() throws Exception {
    try (RawDevice d = tls("ssl:default", null)) {
      d.writeHex(EmqxTcpIT.CONNECT);
      assertThat(d.readHex(23)).isEqualTo(EmqxTcpIT.CONNACK_OK);
      d.writeHex("30 00 01 41");
      assertThat(next().getTopic().toString()).isEqualTo("tcp/abcd/up");
    }
  }

  @Test
  void a_proxy_protocol_v1_header_gives_the_device_its_real_address() throws Exception {
    try (RawDevice d = RawDevice.connect(gw.listener("tcp", "tcp:lb"))) {
      d.write("PROXY TCP4 203.0.113.9 192.0.2.1 51000 8090\r\n$GPGLL,1\n".getBytes(StandardCharsets.US_ASCII));
      Mqtt5Publish p = next();
      assertThat(p.getTopic().toString()).isEqualTo("tcp/203.0.113.9/up");
      assertThat(gw.session("203.0.113.9").peer()).contains("203.0.113.9");
    }
  }

  @Test
  void a_proxy_protocol_v2_header_gives_an_emqx_device_its_real_address() throws Exception {
    try (RawDevice d = RawDevice.connect(gw.listener("tcp", "tcp:lbemqx"))) {
      // signature, v2 PROXY, TCP over IPv4, 12 address bytes: 198.51.100.4:40000 → 192.0.2.1:8090
      d.writeHex("0d 0a 0d 0a 00 0d 0a 51 55 49 54 0a 21 11 00 0c c6 33 64 04 c0 00 02 01 9c 40 1f 9a");
      d.writeHex(EmqxTcpIT.CONNECT);
      assertThat(d.readHex(23)).isEqualTo(EmqxTcpIT.CONNACK_OK);
      await().atMost(Duration.ofSeconds(5)).until(() -> gw.session("abcd") != null);
      assertThat(gw.session("abcd").peer()).contains("198.51.100.4");
      assertThat((String) gw.session("abcd").attributes().get("peer")).isEqualTo("198.51.100.4:40000");
    }
  }

  @Test
  void a_connection_without_the_proxy_header_is_closed() throws Exception {
    try (RawDevice d = RawDevice.connect(gw.listener("tcp", "tcp:lbemqx"))) {
      d.writeHex(EmqxTcpIT.CONNECT);
      assertThat(d.readToClose()).isEmpty();
    }
    try (RawDevice d = RawDevice.connect(gw.listener("tcp", "tcp:lb"))) {
      assertThat(d.closedByServer()).as("closed after proxy_protocol_timeout").isTrue();
    }
    assertThat(gw.sessions()).noneMatch(s -> s.protocol().equals("tcp"));
  }
}
