package io.estuary.lwm2m.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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

/**
 * Factory-fresh Leshan clients that know only the bootstrap server: bootstrapped over UDP and over DTLS
 * with a PSK, they register with the gateway's LwM2M server (coap, or coaps with the PSK the bootstrap
 * server generated and provisioned) and answer a read; the events arrive on {@code up/bootstrap}.
 */
@Timeout(60)
class Lwm2mBootstrapIT {
  private Lwm2mHarness h;
  private final List<LeshanClient> clients = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    clients.forEach(c -> c.destroy(true));
    if (h != null) {
      h.close();
    }
  }

  private final io.estuary.testkit.TestStore store = io.estuary.testkit.TestStore.inMemory();

  private void start(String... extra) {
    List<String> lines = new ArrayList<>(List.of(
        "gateway.lwm2m.command_timeout = 5s",
        // the LwM2M server's DTLS listener, so bootstrapped PSK devices can reach it (its own entry is unrelated)
        "gateway.lwm2m.listeners.dtls.default { enable = true, bind = \"127.0.0.1:0\", "
            + "dtls_options.psk = [{ identity = \"other\", key = \"other-secret\" }] }",
        "gateway.lwm2m.bootstrap.enable = true",
        "gateway.lwm2m.bootstrap.listeners.udp.default.bind = \"127.0.0.1:0\"",
        "gateway.lwm2m.bootstrap.listeners.dtls.default { enable = true, bind = \"127.0.0.1:0\", "
            + "dtls_options.psk = [{ identity = \"bs-boot-dtls\", key = \"bs-secret\", endpoint = \"boot-dtls\" }] }",
        "gateway.lwm2m.bootstrap.configs = [ { endpoint = \"boot-udp\", security = none, lifetime = 120s },"
            + " { endpoint_pattern = \"boot-d.*\", security = psk } ]"));
    lines.addAll(List.of(extra));
    h = new Lwm2mHarness(store, lines.toArray(String[]::new));
  }

  private LeshanClient fresh(String endpoint, Security bootstrapAccount) {
    ObjectsInitializer init = new ObjectsInitializer(new StaticModel(ObjectLoader.loadAllDefault()));
    init.setInstancesForObject(0, bootstrapAccount);
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

  private void readsAfterRegistering(String ep) {
    JsonNode reg = h.mqtt.await("lwm2m/" + ep + "/up/resp", j -> j.path("msgType").asText().equals("register"),
        Duration.ofSeconds(20));
    assertThat(reg.at("/data/ep").asText()).isEqualTo(ep);
    h.mqtt.command(ep, "{\"reqID\":1,\"msgType\":\"read\",\"data\":{\"path\":\"/3/0/0\"}}");
    JsonNode r = h.mqtt.response(ep, 1);
    assertThat(r.at("/data/code").asText()).as(r.toString()).isEqualTo("2.05");
    assertThat(r.at("/data/content/0/value").asText()).isEqualTo("Estuary");
  }

  @Test
  void a_fresh_device_bootstraps_over_udp_then_registers_and_is_read() {
    start();
    InetSocketAddress bs = h.gw.listener("lwm2m", "bootstrap-udp:default");
    fresh("boot-udp", Security.noSecBootstrap("coap://127.0.0.1:" + bs.getPort()));
    JsonNode started = h.mqtt.await("lwm2m/boot-udp/up/bootstrap", j -> j.at("/data/event").asText().equals("started"));
    assertThat(started.get("msgType").asText()).isEqualTo("bootstrap");
    JsonNode done = h.mqtt.await("lwm2m/boot-udp/up/bootstrap", j -> j.at("/data/event").asText().equals("finished"));
    assertThat(done.at("/data/security").asText()).isEqualTo("none");
    assertThat(done.at("/data/serverUri").asText()).startsWith("coap://127.0.0.1:");
    readsAfterRegistering("boot-udp");
    JsonNode reg = h.mqtt.find("lwm2m/boot-udp/up/resp", j -> j.path("msgType").asText().equals("register"));
    assertThat(reg.at("/data/lt").asLong()).isEqualTo(120);
  }

  @Test
  void a_fresh_device_bootstraps_over_dtls_psk_then_registers_over_dtls_with_the_key_it_was_given() {
    start();
    InetSocketAddress bs = h.gw.listener("lwm2m", "bootstrap-dtls:default");
    fresh("boot-dtls", Security.pskBootstrap("coaps://127.0.0.1:" + bs.getPort(),
        "bs-boot-dtls".getBytes(StandardCharsets.UTF_8), "bs-secret".getBytes(StandardCharsets.UTF_8)));
    JsonNode done = h.mqtt.await("lwm2m/boot-dtls/up/bootstrap", j -> j.at("/data/event").asText().equals("finished"),
        Duration.ofSeconds(20));
    assertThat(done.at("/data/security").asText()).isEqualTo("psk");
    assertThat(done.at("/data/serverUri").asText()).startsWith("coaps://127.0.0.1:");
    readsAfterRegistering("boot-dtls");
  }

  @Test
  void a_device_without_a_bootstrap_config_is_refused_and_the_failure_is_published() {
    start();
    InetSocketAddress bs = h.gw.listener("lwm2m", "bootstrap-udp:default");
    fresh("stranger", Security.noSecBootstrap("coap://127.0.0.1:" + bs.getPort()));
    JsonNode failed = h.mqtt.await("lwm2m/stranger/up/bootstrap", j -> j.at("/data/event").asText().equals("failed"));
    assertThat(failed.at("/data/reason").asText()).isEqualTo("no_bootstrap_config");
    assertThat(h.mqtt.find("lwm2m/stranger/up/resp", j -> true)).isNull();
  }

  @Test
  void a_psk_the_bootstrap_server_provisioned_is_still_accepted_after_a_restart() throws Exception {
    start();
    InetSocketAddress bs = h.gw.listener("lwm2m", "bootstrap-udp:default");
    LeshanClient first = fresh("boot-dkeep", Security.noSecBootstrap("coap://127.0.0.1:" + bs.getPort()));
    h.mqtt.await("lwm2m/boot-dkeep/up/resp", j -> j.path("msgType").asText().equals("register"), Duration.ofSeconds(20));
    byte[] stored = store.storedKeyValues("lwm2m").scan("psk/boot-dkeep").get("psk/boot-dkeep");
    JsonNode cred = MqttProbe.JSON.readTree(stored);
    first.destroy(true);
    clients.remove(first);
    h.close();

    start(); // same store: the provisioned key is read back
    InetSocketAddress coaps = h.gw.listener("lwm2m", "dtls:default");
    ObjectsInitializer init = new ObjectsInitializer(new StaticModel(ObjectLoader.loadAllDefault()));
    init.setInstancesForObject(0, Security.psk("coaps://127.0.0.1:" + coaps.getPort(), 1,
        cred.get("identity").asText().getBytes(StandardCharsets.UTF_8),
        java.util.HexFormat.of().parseHex(cred.get("key").asText())));
    init.setInstancesForObject(1, new Server(1, 300));
    init.setInstancesForObject(3, new Device("Estuary", "kept", "SN-K"));
    CaliforniumClientEndpointsProvider.Builder eps = new CaliforniumClientEndpointsProvider.Builder(
        new CoapClientProtocolProvider(), new CoapsClientProtocolProvider());
    eps.setClientAddress(InetAddress.getLoopbackAddress());
    LeshanClient again = new LeshanClientBuilder("boot-dkeep").setObjects(init.create(0, 1, 3))
        .setEndpointsProviders(eps.build()).build();
    clients.add(again);
    again.start();
    readsAfterRegistering("boot-dkeep");
  }

  private java.net.http.HttpResponse<String> api(String method, String path, String body) throws Exception {
    InetSocketAddress a = h.gw.apiAddress();
    java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + a.getPort() + "/api/v5/gateways/lwm2m" + path))
        .header("Authorization", io.estuary.testkit.TestGateway.apiAuthorization())
        .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
            : java.net.http.HttpRequest.BodyPublishers.ofString(body));
    return java.net.http.HttpClient.newHttpClient().send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void a_bootstrap_config_set_through_the_management_api_bootstraps_a_device_and_can_be_deleted() throws Exception {
    start();
    var put = api("PUT", "/bootstrap/configs/api-dev", "{\"security\":\"psk\",\"psk_key\":\"api-secret\",\"lifetime\":90}");
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    var list = api("GET", "/bootstrap/configs", null);
    assertThat(list.statusCode()).isEqualTo(200);
    JsonNode data = MqttProbe.JSON.readTree(list.body()).get("data");
    assertThat(data.get(0).get("endpoint").asText()).isEqualTo("api-dev");
    assertThat(data.get(0).get("source").asText()).isEqualTo("api");
    assertThat(list.body()).doesNotContain("api-secret").contains("boot-d.*"); // keys never shown; file configs listed
    assertThat(api("PUT", "/bootstrap/configs/bad", "{\"security\":\"tls\"}").statusCode()).isEqualTo(400);
    assertThat(api("GET", "/bootstrap/nothing", null).statusCode()).isEqualTo(404);

    InetSocketAddress bs = h.gw.listener("lwm2m", "bootstrap-udp:default");
    fresh("api-dev", Security.noSecBootstrap("coap://127.0.0.1:" + bs.getPort()));
    JsonNode done = h.mqtt.await("lwm2m/api-dev/up/bootstrap", j -> j.at("/data/event").asText().equals("finished"),
        Duration.ofSeconds(20));
    assertThat(done.at("/data/security").asText()).isEqualTo("psk");
    readsAfterRegistering("api-dev");
    JsonNode reg = h.mqtt.find("lwm2m/api-dev/up/resp", j -> j.path("msgType").asText().equals("register"));
    assertThat(reg.at("/data/lt").asLong()).isEqualTo(90);

    assertThat(api("DELETE", "/bootstrap/configs/api-dev", null).statusCode()).isEqualTo(204);
    assertThat(api("DELETE", "/bootstrap/configs/api-dev", null).statusCode()).isEqualTo(404);
    assertThat(store.storedKeyValues("lwm2m").scan("bs/")).isEmpty();
  }
}
