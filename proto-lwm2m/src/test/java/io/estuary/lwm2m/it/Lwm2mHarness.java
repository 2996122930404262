package io.estuary.lwm2m.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.testkit.TestGateway;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A test gateway with the LwM2M adapter on 127.0.0.1 port 0 and the test object models, an MQTT probe on
 * it, and the devices a test opened; closing it closes all of them.
 */
final class Lwm2mHarness implements AutoCloseable {
  final Lwm2mGatewayIT.CapturingFactory factory = new Lwm2mGatewayIT.CapturingFactory();
  final List<AutoCloseable> open = new ArrayList<>();
  final TestGateway gw;
  final MqttProbe mqtt;

  /** {@code config} lines are merged after the listener and xml_dir defaults. */
  Lwm2mHarness(String... config) {
    this(null, config);
  }

  /** On {@code store} (null: a fresh in-memory one), to restart a gateway on what the previous one stored. */
  Lwm2mHarness(io.estuary.testkit.TestStore store, String... config) {
    TestGateway.Builder b = TestGateway.builder()
        .config("gateway.lwm2m.listeners.udp.default.bind = \"127.0.0.1:0\"")
        .config("gateway.lwm2m.xml_dir = \"" + TestDevice.XML_DIR.getPath().replace("\\", "/") + "\"");
    for (String line : config) {
      b.config(line);
    }
    if (store != null) {
      b.store(store);
    }
    gw = b.adapter(factory).start();
    mqtt = new MqttProbe(gw.mqttPort());
  }

  /**
   * The device's registration was refused and it recorded why: its first registration failure starts with
   * {@code why} (a response code such as {@code FORBIDDEN}, or {@code no answer} when the DTLS handshake
   * failed), and the gateway published no register event and holds no session for it.
   */
  void neverRegisters(TestDevice d, String why) {
    await().atMost(Duration.ofSeconds(15)).until(() -> !d.registrationFailures.isEmpty());
    assertThat(d.registrationFailures.get(0)).startsWith(why);
    assertThat(mqtt.find("lwm2m/" + d.endpoint + "/up/resp", j -> true)).isNull();
    assertThat(factory.adapter.isAwake(d.endpoint)).isFalse();
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    mqtt.close();
    gw.close();
  }
}
