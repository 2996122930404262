package io.estuary.lwm2m.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.estuary.testkit.TestPki;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.LeshanClientBuilder;
import org.eclipse.leshan.transport.californium.client.endpoint.CaliforniumClientEndpointsProvider;
import org.eclipse.leshan.transport.californium.client.endpoint.coap.CoapClientProtocolProvider;
import org.eclipse.leshan.transport.californium.client.endpoint.coaps.CoapsClientProtocolProvider;
import org.eclipse.leshan.client.engine.DefaultRegistrationEngineFactory;
import org.eclipse.leshan.client.object.Device;
import org.eclipse.leshan.client.object.Security;
import org.eclipse.leshan.client.object.Server;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.StaticModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Factory-fresh Leshan clients bootstrapped over plain UDP with raw public key and X.509 credentials: the
 * bootstrap server writes them (and the LwM2M server's key or certificate) into the security object and
 * provisions them into the gateway's security store, and the device then registers over DTLS with them.
 */
@Timeout(60)
class Lwm2mBootstrapKeysIT {
  @TempDir Path dir;
  private Lwm2mHarness h;
  private final List<LeshanClient> clients = new ArrayList<>();
  private final io.estuary.testkit.TestStore store = io.estuary.testkit.TestStore.inMemory();
  private TestPki pki;
  private TestPki.Issued server;

  @AfterEach
  void stop() throws Exception {
    clients.forEach(c -> c.destroy(true));
    if (h != null) {
      h.close();
    }
  }

  /** The gateway with a DTLS listener keyed by {@code dtlsOptions}, a UDP bootstrap listener and {@code configs}. */
  private void start(String dtlsOptions, String configs, String... more) {
    if (pki == null) {
      pki = TestPki.create(dir, "lwm2m-bs-ca");
      server = pki.issue("estuary-lwm2m");
    }
    List<String> lines = new ArrayList<>(List.of(
        "gateway.lwm2m.command_timeout = 5s",
        "gateway.lwm2m.listeners.dtls.default { enable = true, bind = \"127.0.0.1:0\", dtls_options { "
            + "certfile = \"" + server.certFile() + "\", keyfile = \"" + server.keyFile() + "\", " + dtlsOptions + " } }",
        "gateway.lwm2m.bootstrap.enable = true",
        "gateway.lwm2m.bootstrap.listeners.udp.default.bind = \"127.0.0.1:0\"",
        "gateway.lwm2m.bootstrap.configs = [ " + configs + " ]"));
    lines.addAll(List.of(more));
    h = new Lwm2mHarness(store, lines.toArray(String[]::new));
  }

  private static final String RPK_LISTENER = "raw_public_keys = true, verify = verify_peer, fail_if_no_peer_cert = true";

  private String x509Listener() {
    return "cacertfile = \"" + pki.ca().certFile() + "\", verify = verify_peer, fail_if_no_peer_cert = true";
  }

  private LeshanClient fresh(String endpoint) {
    InetSocketAddress bs = h.gw.listener("lwm2m", "bootstrap-udp:default");
    ObjectsInitializer init = new ObjectsInitializer(new StaticModel(ObjectLoader.loadAllDefault()));
    init.setInstancesForObject(0, Security.noSecBootstrap("coap://127.0.0.1:" + bs.getPort()));
    init.setClassForObject(1, Server.class);
    init.setInstancesForObject(3, new Device("Estuary", "fresh", "SN-B"));
    DefaultRegistrationEngineFactory engine = new DefaultRegistrationEngineFactory();
    engine.setRequestTimeoutInMs(5000);
    CaliforniumClientEndpointsProvider.Builder eps = new CaliforniumClientEndpointsProvider.Builder(
        new CoapClientProtocolProvider(), new CoapsClientProtocolProvider());
    eps.setClientAddress(InetAddress.getLoopbackAddress());
    LeshanClient c = new LeshanClientBuilder(endpoint).setObjects(init.create(0, 1, 3))
        .setRegistrationEngineFactory(engine).setEndpointsProviders(eps.build()).build();
    clients.add(c);
    c.start();
    return c;
  }

  private JsonNode bootstrapped(String ep, String security) {
    JsonNode done = h.mqtt.await("lwm2m/" + ep + "/up/bootstrap", j -> j.at("/data/event").asText().equals("finished"),
        Duration.ofSeconds(20));
    assertThat(done.at("/data/security").asText()).isEqualTo(security);
    assertThat(done.at("/data/serverUri").asText()).startsWith("coaps://127.0.0.1:");
    return done;
  }

  private void registersOverDtlsAndIsRead(String ep) {
    JsonNode reg = h.mqtt.await("lwm2m/" + ep + "/up/resp", j -> j.path("msgType").asText().equals("register"),
        Duration.ofSeconds(20));
    assertThat(reg.at("/data/ep").asText()).isEqualTo(ep);
    h.mqtt.command(ep, "{\"reqID\":1,\"msgType\":\"read\",\"data\":{\"path\":\"/3/0/0\"}}");
    JsonNode r = h.mqtt.response(ep, 1);
    assertThat(r.at("/data/code").asText()).as(r.toString()).isEqualTo("2.05");
    assertThat(r.at("/data/content/0/value").asText()).isEqualTo("Estuary");
  }

  @Test
  void a_fresh_device_bootstrapped_over_udp_with_a_generated_raw_public_key_registers_over_dtls_with_it()
      throws Exception {
    start(RPK_LISTENER, "{ endpoint_pattern = \"rpk-.*\", security = rpk }");
    fresh("rpk-gen");
    bootstrapped("rpk-gen", "rpk");
    registersOverDtlsAndIsRead("rpk-gen");
    JsonNode cred = MqttProbe.JSON.readTree(store.storedKeyValues("lwm2m").scan("psk/rpk-gen").get("psk/rpk-gen"));
    assertThat(cred.get("type").asText()).isEqualTo("rpk");
  }

  @Test
  void a_raw_public_key_pair_from_pem_files_is_written_to_the_device_and_its_public_key_kept_after_a_restart()
      throws Exception {
    pki = TestPki.create(dir, "lwm2m-bs-ca");
    server = pki.issue("estuary-lwm2m");
    TestPki.Issued device = pki.issue("rpk-file"); // only its key pair is used
    String config = "{ endpoint = rpk-file, security = rpk, keyfile = \"" + device.keyFile() + "\", "
        + "public_key_file = \"" + pemPublicKey(device) + "\" }";
    start(RPK_LISTENER, config);
    fresh("rpk-file");
    bootstrapped("rpk-file", "rpk");
    registersOverDtlsAndIsRead("rpk-file");
    clients.forEach(c -> c.destroy(true));
    clients.clear();
    h.close();

    start(RPK_LISTENER, config); // same store: the provisioned public key is read back
    InetSocketAddress coaps = h.gw.listener("lwm2m", "dtls:default");
    TestDevice again = TestDevice.rpk("rpk-file", coaps, device.keys(), server.certificate().getPublicKey());
    h.open.add(again);
    again.start();
    registersOverDtlsAndIsRead("rpk-file");
    // another key for that endpoint is refused by the provisioned entry
    refused(startedDevice(TestDevice.rpk("rpk-file", coaps, TestPki.ecKeys(), server.certificate().getPublicKey())));
  }

  /** {@code d} (whose endpoint registered before, legitimately) records a 4.03 for its register. */
  private static void refused(TestDevice d) {
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !d.registrationFailures.isEmpty());
    assertThat(d.registrationFailures.get(0)).startsWith("FORBIDDEN");
  }

  private TestDevice startedDevice(TestDevice d) {
    h.open.add(d);
    return d.start();
  }

  private Path pemPublicKey(TestPki.Issued device) throws Exception {
    Path f = dir.resolve(device.keyFile().getFileName() + ".pub.pem");
    java.nio.file.Files.writeString(f, "-----BEGIN PUBLIC KEY-----\n"
        + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(device.keys().getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n");
    return f;
  }

  @Test
  void a_fresh_device_bootstrapped_over_udp_with_an_x509_certificate_registers_over_dtls_with_it() {
    pki = TestPki.create(dir, "lwm2m-bs-ca");
    server = pki.issue("estuary-lwm2m");
    TestPki.Issued device = pki.issue("x509-dev");
    start(x509Listener(), "{ endpoint = x509-dev, security = x509, certfile = \"" + device.certFile() + "\", "
        + "keyfile = \"" + device.keyFile() + "\" }");
    fresh("x509-dev");
    bootstrapped("x509-dev", "x509");
    registersOverDtlsAndIsRead("x509-dev");
    // provisioned as an X.509 endpoint: the same name over plain UDP is refused
    InetSocketAddress udp = h.gw.listener("lwm2m", "udp:default");
    refused(startedDevice(new TestDevice("x509-dev", udp, 300, false)));
  }

  /**
   * A bootstrap request for {@code ep} from a bare CoAP client, no LwM2M client behind it (made-up names): its
   * answer; on 2.04, once its credentials are stored.
   */
  private org.eclipse.californium.core.CoapResponse rawBootstrap(String ep) throws Exception {
    InetSocketAddress bs = h.gw.listener("lwm2m", "bootstrap-udp:default");
    org.eclipse.californium.core.CoapClient raw =
        new org.eclipse.californium.core.CoapClient("coap://127.0.0.1:" + bs.getPort() + "/bs?ep=" + ep);
    raw.setEndpoint(new org.eclipse.californium.core.network.CoapEndpoint.Builder()
        .setConfiguration(io.estuary.cf.CfSettings.DEFAULTS.toConfiguration()).build());
    try {
      org.eclipse.californium.core.CoapResponse r = raw.post("", 0);
      assertThat(r).as("answer to the bootstrap of " + ep).isNotNull();
      if (r.getCode() == org.eclipse.californium.core.coap.CoAP.ResponseCode.CHANGED) {
        await().atMost(Duration.ofSeconds(10))
            .until(() -> store.storedKeyValues("lwm2m").scan("psk/").containsKey("psk/" + ep));
      }
      return r;
    } finally {
      raw.shutdown();
    }
  }

  private java.util.Set<String> provisioned() {
    return store.storedKeyValues("lwm2m").scan("psk/").keySet();
  }

  private double counter(String name, String... tags) {
    return h.gw.metrics().counter(name, tags).count();
  }

  @Test
  void a_new_endpoint_beyond_max_provisioned_is_not_bootstrapped_while_a_provisioned_one_is_again() throws Exception {
    start(RPK_LISTENER, "{ endpoint_pattern = \"cap-.*\", security = rpk }", "gateway.lwm2m.bootstrap.max_provisioned = 1");
    // a bootstrap request for a made-up name, never followed by a registration: its credentials are planned, unused
    assertThat(rawBootstrap("cap-made-up").getCode()).isEqualTo(org.eclipse.californium.core.coap.CoAP.ResponseCode.CHANGED);
    fresh("cap-1"); // the table is full, but of unused credentials: the oldest makes room
    bootstrapped("cap-1", "rpk");
    registersOverDtlsAndIsRead("cap-1");
    assertThat(counter("lwm2m.bootstrap.evicted")).isEqualTo(1.0);
    // full of used credentials: a new endpoint is answered as one without a config, its event says why
    org.eclipse.californium.core.CoapResponse no = rawBootstrap("cap-2");
    assertThat(no.getCode()).isEqualTo(org.eclipse.californium.core.coap.CoAP.ResponseCode.BAD_REQUEST);
    assertThat(no.getResponseText()).isEqualTo("no bootstrap config");
    JsonNode failed = h.mqtt.await("lwm2m/cap-2/up/bootstrap", j -> j.at("/data/event").asText().equals("failed"),
        Duration.ofSeconds(20));
    assertThat(failed.at("/data/reason").asText()).isEqualTo("max_provisioned");
    assertThat(counter("lwm2m.bootstrap.refused", "reason", "max_provisioned")).isEqualTo(1.0);
    assertThat(counter("lwm2m.bootstrap.failed", "reason", "max_provisioned")).isEqualTo(1.0);
    assertThat(counter("lwm2m.bootstrap.failed", "reason", "no_bootstrap_config")).isZero();
    assertThat(provisioned()).as("cap-1 registered: kept").containsExactly("psk/cap-1");
    clients.get(0).destroy(true); // cap-1 bootstraps again: it holds credentials already, so it is not refused
    clients.remove(0);
    fresh("cap-1");
    await().atMost(Duration.ofSeconds(20)).until(() -> h.mqtt.received.stream().filter(r -> r.topic()
        .equals("lwm2m/cap-1/up/bootstrap") && r.json().at("/data/event").asText().equals("finished")).count() == 2);
    assertThat(counter("lwm2m.bootstrap.refused", "reason", "max_provisioned")).isEqualTo(1.0);
  }

  @Test
  void after_a_restart_credentials_never_used_are_still_evicted_oldest_first_and_used_ones_kept() throws Exception {
    pki = TestPki.create(dir, "lwm2m-bs-ca");
    server = pki.issue("estuary-lwm2m");
    TestPki.Issued device = pki.issue("cap-used"); // its key pair, to register again after the restart
    String configs = "{ endpoint = cap-used, security = rpk, keyfile = \"" + device.keyFile() + "\", "
        + "public_key_file = \"" + pemPublicKey(device) + "\" }, { endpoint_pattern = \"cap-.*\", security = rpk }";
    String max = "gateway.lwm2m.bootstrap.max_provisioned = 3";
    start(RPK_LISTENER, configs, max);
    fresh("cap-used");
    bootstrapped("cap-used", "rpk");
    registersOverDtlsAndIsRead("cap-used");
    // handed out after cap-used registered, never used: z before a, unlike their key order
    rawBootstrap("cap-z-first");
    rawBootstrap("cap-a-second");
    // the mark is written once the registration is accepted: wait for it before stopping
    await().atMost(Duration.ofSeconds(10)).until(() -> MqttProbe.JSON.readTree(
        store.storedKeyValues("lwm2m").get("psk/cap-used")).path("used").asBoolean(false));
    clients.forEach(c -> c.destroy(true));
    clients.clear();
    h.close();

    start(RPK_LISTENER, configs, max); // same store: three endpoints hold credentials, one used
    var changed = org.eclipse.californium.core.coap.CoAP.ResponseCode.CHANGED;
    assertThat(rawBootstrap("cap-flood-1").getCode()).isEqualTo(changed);
    assertThat(provisioned()).as("the oldest never used credentials make room")
        .containsExactlyInAnyOrder("psk/cap-used", "psk/cap-a-second", "psk/cap-flood-1");
    assertThat(rawBootstrap("cap-flood-2").getCode()).isEqualTo(changed);
    assertThat(provisioned()).containsExactlyInAnyOrder("psk/cap-used", "psk/cap-flood-1", "psk/cap-flood-2");
    assertThat(rawBootstrap("cap-flood-3").getCode()).isEqualTo(changed);
    assertThat(provisioned()).containsExactlyInAnyOrder("psk/cap-used", "psk/cap-flood-2", "psk/cap-flood-3");
    assertThat(counter("lwm2m.bootstrap.evicted")).isEqualTo(3.0);
    assertThat(counter("lwm2m.bootstrap.refused", "reason", "max_provisioned")).isZero();
    // cap-used kept its credentials through the restart and the flood: it registers over DTLS with them
    InetSocketAddress coaps = h.gw.listener("lwm2m", "dtls:default");
    startedDevice(TestDevice.rpk("cap-used", coaps, device.keys(), server.certificate().getPublicKey()));
    registersOverDtlsAndIsRead("cap-used");
  }

  @Test
  void an_rpk_bootstrap_without_a_key_on_the_lwm2m_dtls_listener_fails_and_the_failure_is_published() {
    pki = TestPki.create(dir, "lwm2m-bs-ca");
    server = pki.issue("estuary-lwm2m");
    h = new Lwm2mHarness(store,
        "gateway.lwm2m.listeners.dtls.default { enable = true, bind = \"127.0.0.1:0\", "
            + "dtls_options.psk = [{ identity = \"other\", key = \"other-secret\" }] }",
        "gateway.lwm2m.bootstrap.enable = true",
        "gateway.lwm2m.bootstrap.listeners.udp.default.bind = \"127.0.0.1:0\"",
        "gateway.lwm2m.bootstrap.configs = [ { endpoint = rpk-nokey, security = rpk } ]");
    fresh("rpk-nokey");
    JsonNode failed = h.mqtt.await("lwm2m/rpk-nokey/up/bootstrap", j -> j.at("/data/event").asText().equals("failed"),
        Duration.ofSeconds(20));
    assertThat(failed.at("/data/reason").asText()).isEqualTo("no_bootstrap_config");
    assertThat(store.storedKeyValues("lwm2m").scan("psk/")).isEmpty();
  }

  private java.net.http.HttpResponse<String> put(String path, String body) throws Exception {
    InetSocketAddress a = h.gw.apiAddress();
    return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + a.getPort() + "/api/v5/gateways/lwm2m" + path))
        .header("Authorization", io.estuary.testkit.TestGateway.apiAuthorization())
        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void an_rpk_config_set_through_the_management_api_bootstraps_a_device_and_x509_there_is_refused() throws Exception {
    start(RPK_LISTENER, "");
    var ok = put("/bootstrap/configs/api-rpk", "{\"security\":\"rpk\"}");
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    var bad = put("/bootstrap/configs/api-x509", "{\"security\":\"x509\"}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("configuration file");
    fresh("api-rpk");
    bootstrapped("api-rpk", "rpk");
    registersOverDtlsAndIsRead("api-rpk");
  }
}
