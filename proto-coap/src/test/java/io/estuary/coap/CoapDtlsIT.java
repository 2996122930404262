package io.estuary.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.testkit.TestPki;
import io.estuary.coap.support.CoapGateway;
import io.estuary.coap.support.DtlsClients;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.elements.DtlsEndpointContext;
import org.eclipse.californium.elements.util.Bytes;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertDescription;
import org.eclipse.californium.scandium.dtls.DtlsHandshakeTimeoutException;
import org.eclipse.californium.scandium.dtls.HandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** CoAPs on the real broker: Scandium clients with PSK, X.509 and raw public keys against listeners.dtls.default. */
@Timeout(60)
class CoapDtlsIT {
  private static final Duration WAIT = Duration.ofSeconds(5);
  @TempDir Path dir;

  private static String dtls(String options) {
    return "listeners.dtls.default { enable = true, bind = \"127.0.0.1:0\", dtls_options { " + options + " } }";
  }

  @Test
  void psk_client_publishes_and_observes_with_its_identity_as_client_id_over_a_connection_id() throws Exception {
    try (CoapGateway h = CoapGateway.start(dtls("psk = [{ identity = dev-psk, key = s3cret }], identity_as = clientid"))) {
      assertThat(h.gw.listeners()).anySatisfy(l -> {
        assertThat(l.name()).isEqualTo("dtls:default");
        assertThat(l.secure()).isTrue();
      });
      List<Mqtt5Publish> got = h.mqttSubscribe("up/#");
      CoapResponse r = h.secureClient(DtlsClients.psk("dev-psk", "s3cret"), "/ps/up/t?qos=1")
          .post("over dtls", MediaTypeRegistry.TEXT_PLAIN);
      assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
      // RFC 9146: the server handed out a connection id of the configured length (6) for the client to use
      Bytes cid = r.advanced().getSourceContext().get(DtlsEndpointContext.KEY_WRITE_CONNECTION_ID);
      assertThat(cid).isNotNull();
      assertThat(cid.length()).isEqualTo(6);
      await().atMost(WAIT).until(() -> got.size() == 1);
      assertThat(CoapGateway.text(got.get(0))).isEqualTo("over dtls");

      List<CoapResponse> notes = new CopyOnWriteArrayList<>();
      h.secureClient(DtlsClients.psk("dev-psk", "s3cret"), "/ps/down").observe(CoapPubSubIT.handler(notes));
      await().atMost(WAIT).until(() -> notes.size() == 1);
      assertThat(h.session("dev-psk")).isNotNull();
      assertThat(h.session("dev-psk").protocol()).isEqualTo("coap");
      h.mqttPublish("down", "to the device", 1);
      await().atMost(WAIT).until(() -> notes.size() == 2);
      assertThat(notes.get(1).getResponseText()).isEqualTo("to the device");

      // a query clientid contradicting the DTLS identity is refused
      assertThat(h.secureClient(DtlsClients.psk("dev-psk", "s3cret"), "/ps/up/t?clientid=other").post("x", 0)
          .getCode()).isEqualTo(ResponseCode.FORBIDDEN);
    }
  }

  @Test
  void wrong_psk_and_unknown_identity_fail_the_handshake() throws Exception {
    try (CoapGateway h = CoapGateway.start(dtls("psk = [{ identity = dev-psk, key = s3cret }]"))) {
      List<Mqtt5Publish> got = h.mqttSubscribe("#");
      // the gateway cannot read the client's Finished (flight 5) and, as Scandium does, stays silent
      assertThat(timedOutFlight(refusal(h.secureClient(DtlsClients.psk("dev-psk", "wrong"), "/ps/t?clientid=a").useNONs())))
          .isEqualTo(5);
      assertThat(timedOutFlight(refusal(h.secureClient(DtlsClients.psk("stranger", "s3cret"), "/ps/t?clientid=b"))))
          .isEqualTo(5);
      CoapResponse ok = h.secureClient(DtlsClients.psk("dev-psk", "s3cret"), "/ps/t?clientid=c").post("x", 0);
      assertThat(ok.getCode()).isEqualTo(ResponseCode.CHANGED);
      await().atMost(WAIT).until(() -> got.size() == 1);
      assertThat(got.get(0).getTopic().toString()).isEqualTo("t");
    }
  }

  @Test
  void x509_client_certificate_cn_becomes_the_username_and_untrusted_certificates_are_refused() throws Exception {
    TestPki pki = TestPki.create(dir, "estuary-test-ca");
    TestPki.Issued server = pki.issue("estuary-server");
    TestPki.Issued meter = pki.issue("meter-1");
    try (CoapGateway h = CoapGateway.builder()
        .config("""
            authentication { allow_anonymous = false, users = [{ username = meter-1 }]   # no password: a DTLS-proved device
                             passwordless_protocols = [coaps] }
            authorization.rules = [{ permission = allow, who = "username:meter-1", action = publish, topics = ["meters/${username}/#"] }]
            authorization.no_match = deny
            """)
        .coap(dtls("""
            certfile = "%s", keyfile = "%s", cacertfile = "%s"
            verify = verify_peer, fail_if_no_peer_cert = true, identity_as = username
            """.formatted(server.certFile(), server.keyFile(), pki.ca().certFile())))
        .start()) {
      CoapClient meterClient = h.secureClient(DtlsClients.x509(meter, pki.ca().certificate()),
          "/ps/meters/meter-1/kwh?clientid=m1");
      assertThat(meterClient.post("12.5", MediaTypeRegistry.TEXT_PLAIN).getCode()).isEqualTo(ResponseCode.CHANGED);
      // the ACL sees the certificate CN as the username: another meter's topic is denied
      assertThat(h.secureClient(DtlsClients.x509(meter, pki.ca().certificate()), "/ps/meters/meter-2/kwh?clientid=m1")
          .post("1", 0).getCode()).isEqualTo(ResponseCode.FORBIDDEN);
      assertThat(h.count("coap.published")).isEqualTo(1.0);
      // "coaps" is passwordless, plain "coap" is not: the same username without a password over UDP is refused
      assertThat(h.client("/ps/meters/meter-1/kwh?clientid=m1&username=meter-1").post("1", 0).getCode())
          .isEqualTo(ResponseCode.UNAUTHORIZED);
      // a certificate the CA did not sign never gets through the handshake
      TestPki.Issued rogue = TestPki.selfSigned(dir.resolve("rogue"), "meter-1");
      assertThat(alertOf(refusal(h.secureClient(DtlsClients.x509(rogue, pki.ca().certificate()),
          "/ps/meters/meter-1/kwh?clientid=m1")))).isEqualTo(AlertDescription.BAD_CERTIFICATE);
      assertThat(h.count("coap.published")).isEqualTo(1.0);
    }
  }

  @Test
  void raw_public_key_client_is_accepted_when_raw_public_keys_are_on() throws Exception {
    TestPki pki = TestPki.create(dir, "ca");
    TestPki.Issued server = pki.issue("server");
    TestPki.Issued device = TestPki.selfSigned(dir.resolve("dev"), "rpk-device");
    try (CoapGateway h = CoapGateway.start(dtls("""
        certfile = "%s", keyfile = "%s", raw_public_keys = true, verify = verify_peer, fail_if_no_peer_cert = true
        trusted_rpks = ["%s"]
        """.formatted(server.certFile(), server.keyFile(),
        java.util.Base64.getEncoder().encodeToString(device.certificate().getPublicKey().getEncoded()))))) {
      List<Mqtt5Publish> got = h.mqttSubscribe("rpk");
      assertThat(h.secureClient(DtlsClients.rpk(device), "/ps/rpk?clientid=r1").post("raw", 0).getCode())
          .isEqualTo(ResponseCode.CHANGED);
      await().atMost(WAIT).until(() -> got.size() == 1);
    }
  }

  /**
   * What the client recorded as stopping a POST that must not get through: the send error its DTLS stack
   * reported (handshake failure with the peer's alert, handshake timeout). Fails the test if a response came.
   */
  private static Throwable refusal(CoapClient c) {
    c.setTimeout(20_000L);
    Request post = Request.newPost();
    post.setPayload("x");
    AtomicReference<Throwable> sendError = new AtomicReference<>();
    post.addMessageObserver(new MessageObserverAdapter() {
      @Override
      public void onSendError(Throwable error) {
        sendError.set(error);
      }
    });
    CoapResponse response;
    try {
      response = c.advanced(post);
    } catch (Exception e) {
      response = null; // the send error is recorded on the request
    }
    assertThat(response).as("no response to a refused client").isNull();
    assertThat(sendError.get()).as("the client recorded why its request did not get through").isNotNull();
    return sendError.get();
  }

  /** The flight at which the client's handshake timed out. */
  private static int timedOutFlight(Throwable sendError) {
    assertThat(sendError).isInstanceOf(DtlsHandshakeTimeoutException.class);
    return ((DtlsHandshakeTimeoutException) sendError).getFlightNumber();
  }

  /** The alert of a failed handshake. */
  private static AlertDescription alertOf(Throwable sendError) {
    assertThat(sendError).isInstanceOf(HandshakeException.class);
    return ((HandshakeException) sendError).getAlert().getDescription();
  }
}
