package io.estuary.mqtt.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.sun.net.httpserver.HttpServer;
import io.estuary.testkit.TestGateway;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** JWT authentication (EMQX 5's `jwt` source): HMAC, RSA and EC keys, a JWKS with rotation, and ACL claims. */
@Timeout(90)
class JwtAuthIT {
  /** 64 bytes: RFC 7518 3.2 wants HS512's key at least as long as its hash, and the gateway holds to that. */
  static final byte[] SECRET = "a-shared-secret-of-64-bytes-for-hs512-0123456789abcdef0123456789".getBytes(StandardCharsets.UTF_8);
  static TestGateway hmac;

  @BeforeAll
  static void start() {
    hmac = TestGateway.builder().config("""
        authentication {
          allow_anonymous = false
          sources = [jwt]
          jwt { secret = "%s", verify_claims { clientid = "${clientid}" } }
        }
        """.formatted(new String(SECRET, StandardCharsets.UTF_8))).start();
  }

  @AfterAll
  static void stop() {
    hmac.close();
  }

  static Map<String, Object> claims(String clientId, long expIn, Object... more) {
    var m = new java.util.HashMap<String, Object>(Map.of("clientid", clientId, "exp", Jwts.now() + expIn));
    for (int i = 0; i < more.length; i += 2) {
      m.put((String) more[i], more[i + 1]);
    }
    return m;
  }

  static Mqtt5BlockingClient connect(TestGateway gw, String id, String token) {
    var c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    var auth = c.connectWith().simpleAuth().username("u-" + id);
    if (token != null) {
      auth.password(token.getBytes(StandardCharsets.UTF_8));
    }
    auth.applySimpleAuth().send();
    return c;
  }

  static Mqtt5ConnAckReasonCode refused(TestGateway gw, String id, String token) {
    return catchThrowableOfType(() -> connect(gw, id, token), Mqtt5ConnAckException.class).getMqttMessage().getReasonCode();
  }

  @Test
  void a_valid_hmac_token_is_accepted_with_each_hmac_algorithm() {
    for (String alg : List.of("HS256", "HS384", "HS512")) {
      connect(hmac, "j-" + alg, Jwts.sign(alg, null, SECRET, claims("j-" + alg, 60))).disconnect();
    }
  }

  @Test
  void expired_tokens_and_failed_claims_are_bad_credentials_and_unverifiable_or_missing_tokens_not_authorized() {
    assertThat(refused(hmac, "j1", Jwts.sign("HS256", null, SECRET, claims("j1", -120))))
        .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    // within the 30 s leeway an expired token still passes
    connect(hmac, "j1b", Jwts.sign("HS256", null, SECRET, claims("j1b", -5))).disconnect();
    assertThat(refused(hmac, "j2", Jwts.sign("HS256", null, SECRET, claims("j2", 60, "nbf", Jwts.now() + 600))))
        .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    assertThat(refused(hmac, "j3", Jwts.sign("HS256", null, SECRET, claims("someone-else", 60))))
        .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    byte[] wrong = "another-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);
    assertThat(refused(hmac, "j4", Jwts.sign("HS256", null, wrong, claims("j4", 60))))
        .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    assertThat(refused(hmac, "j5", Jwts.sign("RS256", null, Jwts.rsa().getPrivate(), claims("j5", 60))))
        .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    assertThat(refused(hmac, "j6", Jwts.sign("none", null, null, claims("j6", 60))))
        .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    assertThat(refused(hmac, "j7", null)).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    assertThat(refused(hmac, "j8", "not.a.jwt")).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
  }

  static Mqtt5PubAckReasonCode publish(Mqtt5BlockingClient c, String topic) {
    try {
      c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).send();
      return Mqtt5PubAckReasonCode.SUCCESS;
    } catch (Mqtt5PubAckException e) {
      return e.getMqttMessage().getReasonCode();
    }
  }

  static List<Mqtt5SubAckReasonCode> subscribe(Mqtt5BlockingClient c, String... filters) {
    var b = c.subscribeWith().addSubscription().topicFilter(filters[0]).qos(MqttQos.AT_LEAST_ONCE).applySubscription();
    for (int i = 1; i < filters.length; i++) {
      b = b.addSubscription().topicFilter(filters[i]).qos(MqttQos.AT_LEAST_ONCE).applySubscription();
    }
    try {
      return List.copyOf(b.send().getReasonCodes());
    } catch (Mqtt5SubAckException e) {
      return List.copyOf(e.getMqttMessage().getReasonCodes());
    }
  }

  @Test
  void the_acl_claim_in_its_object_form_allows_only_what_it_lists() {
    var acl = Map.of("pub", List.of("t/${clientid}/#"), "sub", List.of("cmd/${clientid}"), "all", List.of("both/x"));
    var c = connect(hmac, "a1", Jwts.sign("HS256", null, SECRET, claims("a1", 60, "acl", acl)));
    assertThat(publish(c, "t/a1/temp")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
    assertThat(publish(c, "both/x")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
    assertThat(publish(c, "t/other/temp")).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
    assertThat(publish(c, "cmd/a1")).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
    assertThat(subscribe(c, "cmd/a1", "both/x", "cmd/other", "t/a1/#")).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1,
        Mqtt5SubAckReasonCode.GRANTED_QOS_1, Mqtt5SubAckReasonCode.NOT_AUTHORIZED, Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
    c.disconnect();
    // a client of the same gateway without an ACL claim is not confined (no_match = allow)
    var free = connect(hmac, "a2", Jwts.sign("HS256", null, SECRET, claims("a2", 60)));
    assertThat(publish(free, "t/other/temp")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
    free.disconnect();
  }

  @Test
  void the_acl_claim_in_its_list_form_applies_the_first_matching_rule() {
    var acl = List.of(
        Map.of("permission", "deny", "action", "all", "topic", "data/secret"),
        Map.of("permission", "allow", "action", "publish", "topic", "data/#"),
        Map.of("permission", "allow", "action", "subscribe", "topics", List.of("eq data/#", "news/+")));
    var c = connect(hmac, "a3", Jwts.sign("HS512", null, SECRET, claims("a3", 60, "acl", acl)));
    assertThat(publish(c, "data/x")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
    assertThat(publish(c, "data/secret")).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
    assertThat(publish(c, "news/today")).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
    assertThat(subscribe(c, "data/#", "news/today", "data/x", "data/secret")).containsExactly(
        Mqtt5SubAckReasonCode.GRANTED_QOS_1, Mqtt5SubAckReasonCode.GRANTED_QOS_1,
        Mqtt5SubAckReasonCode.NOT_AUTHORIZED, Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
    c.disconnect();
  }

  @Test
  void rsa_and_ec_public_keys_from_pem_files_verify_their_tokens_and_refuse_the_hmac_confusion(@TempDir Path dir) throws Exception {
    KeyPair rsa = Jwts.rsa();
    KeyPair ec = Jwts.ec();
    try (var gw = publicKeyGateway(Jwts.pem(dir.resolve("rsa.pem"), rsa.getPublic()))) {
      connect(gw, "r1", Jwts.sign("RS256", null, rsa.getPrivate(), claims("r1", 60))).disconnect();
      assertThat(refused(gw, "r2", Jwts.sign("RS256", null, Jwts.rsa().getPrivate(), claims("r2", 60))))
          .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
      // HS256 keyed with the public key's bytes (the classic algorithm confusion) is never accepted
      assertThat(refused(gw, "r3", Jwts.sign("HS256", null, rsa.getPublic().getEncoded(), claims("r3", 60))))
          .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
      assertThat(refused(gw, "r4", Jwts.sign("RS256", null, rsa.getPrivate(), claims("r4", -120))))
          .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    }
    try (var gw = publicKeyGateway(Jwts.pem(dir.resolve("ec.pem"), ec.getPublic()))) {
      connect(gw, "e1", Jwts.sign("ES256", null, ec.getPrivate(), claims("e1", 60))).disconnect();
      assertThat(refused(gw, "e2", Jwts.sign("ES256", null, Jwts.ec().getPrivate(), claims("e2", 60))))
          .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
      assertThat(refused(gw, "e3", Jwts.sign("RS256", null, rsa.getPrivate(), claims("e3", 60))))
          .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    }
  }

  @Test
  void the_public_key_may_be_the_pem_text_itself_as_in_emqx(@TempDir Path dir) throws Exception {
    KeyPair rsa = Jwts.rsa();
    String pem = java.nio.file.Files.readString(Jwts.pem(dir.resolve("inline.pem"), rsa.getPublic()));
    try (var gw = TestGateway.builder().config("""
        authentication {
          allow_anonymous = false
          sources = [jwt]
          jwt { algorithm = public-key, public_key = \"\"\"%s\"\"\" }
        }
        """.formatted(pem)).start()) {
      connect(gw, "i1", Jwts.sign("RS256", null, rsa.getPrivate(), claims("i1", 60))).disconnect();
      assertThat(refused(gw, "i2", Jwts.sign("RS256", null, Jwts.rsa().getPrivate(), claims("i2", 60))))
          .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    }
  }

  static TestGateway publicKeyGateway(Path pem) {
    return TestGateway.builder().config("""
        authentication {
          allow_anonymous = false
          sources = [jwt]
          jwt { algorithm = public-key, public_key = "%s" }
        }
        """.formatted(pem.toAbsolutePath())).start();
  }

  @Test
  void keys_come_from_a_jwks_endpoint_and_a_rotated_key_is_picked_up() throws Exception {
    KeyPair k1 = Jwts.rsa();
    KeyPair k2 = Jwts.ec();
    String[] jwks = {Jwts.JSON.writeValueAsString(Map.of("keys", List.of(Jwts.jwk("k1", k1.getPublic()))))};
    var fetches = new java.util.concurrent.atomic.AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/jwks", ex -> {
      fetches.incrementAndGet();
      byte[] b = jwks[0].getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("content-type", "application/json");
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.start();
    try (var gw = TestGateway.builder().config("""
        authentication {
          allow_anonymous = false
          sources = [jwt]
          jwt { use_jwks = true, endpoint = "http://127.0.0.1:%d/jwks", refresh_interval = 1s }
        }
        """.formatted(server.getAddress().getPort())).start()) {
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() ->
          connect(gw, "w1", Jwts.sign("RS256", "k1", k1.getPrivate(), claims("w1", 60))).disconnect());
      assertThat(refused(gw, "w2", Jwts.sign("ES256", "k2", k2.getPrivate(), claims("w2", 60))))
          .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
      jwks[0] = Jwts.JSON.writeValueAsString(Map.of("keys", List.of(Jwts.jwk("k2", k2.getPublic()))));
      // the new key is fetched when a token names it; the old one is gone after the next refresh
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() ->
          connect(gw, "w3", Jwts.sign("ES256", "k2", k2.getPrivate(), claims("w3", 60))).disconnect());
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(refused(gw, "w4", Jwts.sign("RS256", "k1", k1.getPrivate(), claims("w4", 60))))
              .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED));
      assertThat(fetches.get()).isGreaterThanOrEqualTo(2);
    } finally {
      server.stop(0);
    }
  }
}
