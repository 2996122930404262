package io.estuary.mqttsn.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.mqttsn.MqttSnAdapterFactory;
import io.estuary.mqttsn.codec.MqttSnFrame.Connack;
import io.estuary.mqttsn.codec.MqttSnFrame.Connect;
import io.estuary.mqttsn.codec.MqttSnFrame.Disconnect;
import io.estuary.mqttsn.codec.MqttSnFrame.Suback;
import io.estuary.mqttsn.codec.MqttSnFrame.Subscribe;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
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

  /** CONNECT with clean = 0 (a persistent session) and {@code keepalive} seconds, answered ACCEPTED. */
  protected static void connectPersistent(MqttSnTestClient c, String clientId, int keepalive) {
    c.send(new Connect(false, false, keepalive, clientId));
    assertThat(c.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
  }

  /**
   * What a real unproven subscriber and a blind spoofer both do, each step answered: CONNECT clean = 0, SUBSCRIBE
   * {@code filter}, plain DISCONNECT.
   */
  protected void subscribeAndLeave(String clientId, int keepalive, String filter) {
    try (MqttSnTestClient c = sn()) {
      connectPersistent(c, clientId, keepalive);
      c.send(new Subscribe(false, 1, 1, new TopicRef.Name(filter)));
      assertThat(c.expect(Suback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      c.send(Disconnect.plain());
      c.expect(Disconnect.class);
    }
  }
}
