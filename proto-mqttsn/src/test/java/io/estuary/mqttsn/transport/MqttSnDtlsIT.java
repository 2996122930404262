package io.estuary.mqttsn.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.testkit.TestPki;
import io.estuary.api.Payload;
import io.estuary.testkit.TestGateway;
import io.estuary.mqttsn.MqttSnAdapterFactory;
import io.estuary.mqttsn.codec.DecodeResult;
import io.estuary.mqttsn.codec.MqttSnCodec;
import io.estuary.mqttsn.codec.MqttSnFrame;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.MessageCallback;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertDescription;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.DtlsHandshakeTimeoutException;
import org.eclipse.californium.scandium.dtls.HandshakeException;
import org.eclipse.californium.scandium.dtls.pskstore.SinglePskStore;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticCertificateVerifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * MQTT-SN over DTLS with Scandium clients through the real core: PSK, X.509 client certificates checked
 * against the CA (certificates made with BouncyCastle per test), raw public keys, identity_as, and DTLS
 * Connection IDs negotiated.
 */
@Timeout(60)
class MqttSnDtlsIT {
  static final int CID_LENGTH = 4;

  @TempDir Path dir;

  static Configuration clientConfig() {
    Configuration c = new Configuration(DtlsConfig.DEFINITIONS, UdpConfig.DEFINITIONS, SystemConfig.DEFINITIONS);
    c.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
    c.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, CID_LENGTH);
    // the test certificates name no host; the chain to the test CA is still verified
    c.set(DtlsConfig.DTLS_VERIFY_SERVER_CERTIFICATES_SUBJECT, false);
    c.set(DtlsConfig.DTLS_MAX_RETRANSMISSIONS, 2);
    c.set(DtlsConfig.DTLS_RETRANSMISSION_TIMEOUT, 500, TimeUnit.MILLISECONDS);
    return c;
  }

  static DTLSConnector start(DtlsConnectorConfig.Builder b, BlockingQueue<RawData> in) throws Exception {
    DTLSConnector connector = new DTLSConnector(b.setAddress(new InetSocketAddress("127.0.0.1", 0)).build());
    connector.setRawDataReceiver(in::add);
    connector.start();
    return connector;
  }

  static DTLSConnector psk(String identity, String key, BlockingQueue<RawData> in) throws Exception {
    return start(DtlsConnectorConfig.builder(clientConfig())
        .setPskStore(new SinglePskStore(identity, key.getBytes(StandardCharsets.UTF_8))), in);
  }

  static DTLSConnector x509(TestPki.Issued me, X509Certificate trusted, BlockingQueue<RawData> in) throws Exception {
    return start(DtlsConnectorConfig.builder(clientConfig())
        .setCertificateIdentityProvider(new SingleCertificateProvider(me.privateKey(),
            new X509Certificate[] {me.certificate()}, CertificateType.X_509))
        .setCertificateVerifier(StaticCertificateVerifier.builder()
            .setTrustedCertificates(trusted).build()), in);
  }

  static DTLSConnector rpk(TestPki.Issued me, BlockingQueue<RawData> in) throws Exception {
    return start(DtlsConnectorConfig.builder(clientConfig())
        .setCertificateIdentityProvider(new SingleCertificateProvider(me.privateKey(), me.keys().getPublic()))
        .setCertificateVerifier(StaticCertificateVerifier.builder().setTrustAllRPKs().build()), in);
  }

  static void send(DTLSConnector c, InetSocketAddress to, MqttSnFrame f) {
    c.send(RawData.outbound(MqttSnCodec.encode(f), new AddressEndpointContext(to), null, false));
  }

  /**
   * Sends {@code f}; the stage completes once the record left, or fails with what the client's DTLS stack
   * recorded as stopping it (a {@link HandshakeException} carrying the alert, a handshake timeout).
   */
  static CompletableFuture<Void> sendTracked(DTLSConnector c, InetSocketAddress to, MqttSnFrame f) {
    CompletableFuture<Void> sent = new CompletableFuture<>();
    c.send(RawData.outbound(MqttSnCodec.encode(f), new AddressEndpointContext(to), new MessageCallback() {
      @Override public void onConnecting() {}
      @Override public void onDtlsRetransmission(int flight) {}
      @Override public void onContextEstablished(EndpointContext context) {}
      @Override public void onSent() { sent.complete(null); }
      @Override public void onError(Throwable error) { sent.completeExceptionally(error); }
    }, false));
    return sent;
  }

  /** What stopped {@code sent}: fails the test if the record went out. */
  static Throwable failureOf(CompletableFuture<Void> sent) {
    Throwable t = catchThrowable(() -> sent.get(20, TimeUnit.SECONDS));
    assertThat(t).as("the client's send failed").isInstanceOf(ExecutionException.class);
    return t.getCause();
  }

  static RawData receiveRaw(BlockingQueue<RawData> in) throws InterruptedException {
    RawData r = in.poll(10, TimeUnit.SECONDS);
    assertThat(r).as("a datagram from the gateway").isNotNull();
    return r;
  }

  static MqttSnFrame frame(RawData r) {
    return ((DecodeResult.Decoded) MqttSnCodec.decode(r.getBytes())).frame();
  }

  static MqttSnFrame receive(BlockingQueue<RawData> in) throws InterruptedException {
    return frame(receiveRaw(in));
  }

  static TestGateway gateway(String dtlsOptions) {
    return TestGateway.builder()
        .config("""
            gateway.mqttsn.listeners.udp.default.bind = "127.0.0.1:0"
            gateway.mqttsn.listeners.dtls.default {
              enable = true
              bind = "127.0.0.1:0"
              dtls_options { %s }
            }
            """.formatted(dtlsOptions))
        .adapter(new MqttSnAdapterFactory())
        .start();
  }

  /** certfile/keyfile/cacertfile of a fresh test PKI with a server certificate. */
  String certificateOptions(TestPki pki) {
    TestPki.Issued server = pki.issue("estuary-server");
    return """
        certfile = "%s", keyfile = "%s", cacertfile = "%s"
        verify = verify_peer, fail_if_no_peer_cert = true
        """.formatted(server.certFile(), server.keyFile(), pki.ca().certFile());
  }

  @Test
  void psk_client_connects_and_publishes_over_dtls() throws Exception {
    try (TestGateway gw = gateway("psk = [{identity = \"dev1\", key = \"secret\"}]")) {
      InetSocketAddress dtls = gw.listener("mqttsn", "dtls:default");
      Mqtt5BlockingClient sub = Mqtt5Client.builder().identifier("dtls-sub").serverHost("127.0.0.1")
          .serverPort(gw.mqttPort()).buildBlocking();
      sub.connect();
      BlockingQueue<RawData> in = new LinkedBlockingQueue<>();
      DTLSConnector c = psk("dev1", "secret", in);
      try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
        sub.subscribeWith().topicFilter("ds").qos(MqttQos.AT_LEAST_ONCE).send();
        send(c, dtls, new Connect(false, true, 60, "sn-dtls"));
        assertThat(receive(in)).isEqualTo(new Connack(ReturnCode.ACCEPTED));
        send(c, dtls, new Publish(false, 1, false, new TopicRef.Short("ds"), 1, Payload.utf8("secure")));
        assertThat(receive(in)).isEqualTo(new Puback(0x6473, 1, ReturnCode.ACCEPTED));
        Optional<Mqtt5Publish> got = publishes.receive(5, TimeUnit.SECONDS);
        assertThat(got).isPresent();
        assertThat(new String(got.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("secure");
      } finally {
        c.destroy();
        sub.disconnect();
      }
    }
  }

  @Test
  void client_with_a_wrong_key_gets_nothing_through() throws Exception {
    try (TestGateway gw = gateway("psk = [{identity = \"dev1\", key = \"secret\"}]")) {
      InetSocketAddress dtls = gw.listener("mqttsn", "dtls:default");
      BlockingQueue<RawData> in = new LinkedBlockingQueue<>();
      DTLSConnector c = psk("dev1", "wrong", in);
      try {
        Throwable failure = failureOf(sendTracked(c, dtls, new Connect(false, true, 60, "sn-bad")));
        // the gateway cannot read the client's Finished (flight 5) and, as Scandium does, stays silent
        assertThat(failure).isInstanceOf(DtlsHandshakeTimeoutException.class);
        assertThat(((DtlsHandshakeTimeoutException) failure).getFlightNumber()).isEqualTo(5);
        assertThat(in).as("nothing came back").isEmpty();
      } finally {
        c.destroy();
      }
    }
  }

  @Test
  void x509_client_signed_by_the_ca_connects_with_a_connection_id_and_its_cn_as_client_id() throws Exception {
    TestPki pki = TestPki.create(dir, "mqttsn-test-ca");
    TestPki.Issued device = pki.issue("sensor-42");
    try (TestGateway gw = gateway(certificateOptions(pki) + "\nidentity_as = clientid")) {
      InetSocketAddress dtls = gw.listener("mqttsn", "dtls:default");
      BlockingQueue<RawData> in = new LinkedBlockingQueue<>();
      DTLSConnector c = x509(device, pki.ca().certificate(), in);
      try {
        send(c, dtls, new Connect(false, true, 60, "")); // the certificate names the client
        RawData connack = receiveRaw(in);
        assertThat(frame(connack)).isEqualTo(new Connack(ReturnCode.ACCEPTED));
        assertThat(gw.session("sensor-42")).as("CN became the client id").isNotNull();
        assertThat(gw.session("sensor-42").protocol()).isEqualTo("mqttsn");
        // RFC 9146: the server sends records with the connection id the client asked for
        assertThat(connack.getEndpointContext().get(
            org.eclipse.californium.elements.DtlsEndpointContext.KEY_READ_CONNECTION_ID))
            .as("connection id negotiated").isNotNull();
        assertThat(connack.getEndpointContext().get(
            org.eclipse.californium.elements.DtlsEndpointContext.KEY_WRITE_CONNECTION_ID))
            .as("the gateway gave the client a connection id").isNotNull();

        send(c, dtls, new Connect(false, true, 60, "not-my-cn"));
        assertThat(receive(in)).isEqualTo(new Connack(ReturnCode.REJECTED_NOT_SUPPORTED));
      } finally {
        c.destroy();
      }
    }
  }

  @Test
  void x509_client_from_an_unknown_ca_is_rejected_in_the_handshake() throws Exception {
    TestPki pki = TestPki.create(dir, "mqttsn-test-ca");
    TestPki.Issued stranger = TestPki.selfSigned(dir.resolve("other"), "stranger");
    try (TestGateway gw = gateway(certificateOptions(pki))) {
      InetSocketAddress dtls = gw.listener("mqttsn", "dtls:default");
      BlockingQueue<RawData> in = new LinkedBlockingQueue<>();
      DTLSConnector c = x509(stranger, pki.ca().certificate(), in);
      try {
        Throwable failure = failureOf(sendTracked(c, dtls, new Connect(false, true, 60, "stranger")));
        assertThat(failure).isInstanceOf(HandshakeException.class);
        assertThat(((HandshakeException) failure).getAlert().getDescription()).isEqualTo(AlertDescription.BAD_CERTIFICATE);
        assertThat(in).as("no CONNACK for an unverified certificate").isEmpty();
        assertThat(gw.session("stranger")).isNull();
      } finally {
        c.destroy();
      }
    }
  }

  @Test
  void raw_public_key_client_connects_and_its_key_name_can_be_the_username() throws Exception {
    TestPki pki = TestPki.create(dir, "mqttsn-test-ca");
    TestPki.Issued device = pki.issue("rpk-device");
    try (TestGateway gw = gateway(certificateOptions(pki) + "\nraw_public_keys = true\nidentity_as = username"
        + "\ntrusted_rpks = [\"" + java.util.Base64.getEncoder().encodeToString(device.certificate().getPublicKey().getEncoded()) + "\"]")) {
      InetSocketAddress dtls = gw.listener("mqttsn", "dtls:default");
      BlockingQueue<RawData> in = new LinkedBlockingQueue<>();
      DTLSConnector c = rpk(device, in);
      try {
        send(c, dtls, new Connect(false, true, 60, "rpk-client"));
        assertThat(receive(in)).isEqualTo(new Connack(ReturnCode.ACCEPTED));
        assertThat(gw.session("rpk-client").username()).startsWith("ni:///sha-256;");
      } finally {
        c.destroy();
      }
    }
  }

  @Test
  void the_psk_key_of_the_first_release_fails_the_start_pointing_at_dtls_options() {
    assertThatThrownBy(() -> TestGateway.builder()
        .config("""
            gateway.mqttsn.listeners.udp.default.bind = "127.0.0.1:0"
            gateway.mqttsn.listeners.dtls.default { enable = true, bind = "127.0.0.1:0", psk = [{identity = a, key = b}] }
            """)
        .adapter(new MqttSnAdapterFactory())
        .start().close())
        .hasStackTraceContaining("gateway.mqttsn.listeners.dtls.default.psk")
        .hasStackTraceContaining("dtls_options");
  }
}
