package io.estuary.mqttsn.transport;

import io.estuary.mqttsn.MqttSnAdapterFactory;
import io.estuary.testkit.TestGateway;
import io.estuary.testkit.TestStore;
import org.junit.jupiter.api.AfterEach;

/**
 * A gateway with one plain-UDP MQTT-SN listener on loopback (plus the test's HOCON), closed after each test, and the
 * helpers the overload-protection ITs share: raw MQTT-SN clients and the {@code mqttsn.drops} counter by reason.
 */
abstract class MqttSnGatewayFixture {
  protected TestGateway gw;

  /** Starts the gateway with {@code hocon} after the listener's bind; {@code store} may be null (the default). */
  protected TestGateway start(String hocon, TestStore store) {
    TestGateway.Builder b = TestGateway.builder()
        .config("gateway.mqttsn.listeners.udp.default.bind = \"127.0.0.1:0\"\n" + hocon)
        .adapter(new MqttSnAdapterFactory());
    if (store != null) {
      b.store(store);
    }
    gw = b.start();
    return gw;
  }

  protected TestGateway start(String hocon) {
    return start(hocon, null);
  }

  @AfterEach
  void stopGateway() {
    if (gw != null) {
      gw.close();
    }
  }

  protected MqttSnTestClient sn() {
    return new MqttSnTestClient(gw.listener("mqttsn", "udp:default"));
  }

  protected MqttSnTestClient sn(String bindHost) {
    return new MqttSnTestClient(gw.listener("mqttsn", "udp:default"), bindHost);
  }

  protected double drops(String reason) {
    return gw.metrics().counter("mqttsn.drops", "reason", reason).count();
  }
}
