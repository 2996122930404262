package io.estuary.lwm2m.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.estuary.testkit.TestGateway;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** LwM2M over DTLS with pre-shared keys: the PSK table is the security store. */
@Timeout(60)
class Lwm2mDtlsIT {
  private Lwm2mHarness h;
  private List<AutoCloseable> open;
  private Lwm2mGatewayIT.CapturingFactory factory;
  private TestGateway gw;
  private MqttProbe mqtt;
  private InetSocketAddress dtls;
  private InetSocketAddress udp;

  @BeforeEach
  void start() {
    h = new Lwm2mHarness(
        "gateway.lwm2m.listeners.dtls.default { enable = true, bind = \"127.0.0.1:0\", dtls_options.psk = ["
            + "{identity = \"dev-psk\", key = \"s3cret\"}, {identity = \"id-other\", key = \"k2\", endpoint = \"dev-mapped\"}] }");
    open = h.open;
    factory = h.factory;
    gw = h.gw;
    mqtt = h.mqtt;
    dtls = gw.listener("lwm2m", "dtls:default");
    udp = gw.listener("lwm2m", "udp:default");
  }

  @AfterEach
  void stop() throws Exception {
    h.close();
  }

  private TestDevice started(TestDevice d) {
    open.add(d);
    return d.start();
  }

  @Test
  void a_device_with_the_right_key_registers_over_dtls_and_takes_commands() {
    started(TestDevice.psk("dev-psk", dtls, "dev-psk", "s3cret"));
    mqtt.await("lwm2m/dev-psk/up/resp", j -> j.path("msgType").asText().equals("register"));
    await().atMost(Duration.ofSeconds(10)).until(() -> factory.adapter.sessionReady("dev-psk"));
    mqtt.command("dev-psk", "{\"reqID\":1,\"msgType\":\"read\",\"data\":{\"path\":\"/3/0/0\"}}");
    JsonNode r = mqtt.response("dev-psk", 1);
    assertThat(r.at("/data/code").asText()).isEqualTo("2.05");
  }

  @Test
  void an_identity_mapped_to_another_endpoint_registers_as_that_endpoint_only() {
    started(TestDevice.psk("dev-mapped", dtls, "id-other", "k2"));
    mqtt.await("lwm2m/dev-mapped/up/resp", j -> j.path("msgType").asText().equals("register"));
    h.neverRegisters(started(TestDevice.psk("dev-impostor", dtls, "id-other", "k2")), "FORBIDDEN");
  }

  @Test
  void a_wrong_key_is_rejected() {
    h.neverRegisters(started(TestDevice.psk("dev-psk", dtls, "dev-psk", "wrong")), "no answer");
  }

  @Test
  void an_endpoint_with_credentials_cannot_register_over_plain_udp() {
    h.neverRegisters(started(new TestDevice("dev-psk", udp, 300, false)), "FORBIDDEN");
  }
}
