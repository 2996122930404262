package io.estuary.mqttsn.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.testkit.TestGateway;
import io.estuary.mqttsn.MqttSnAdapterFactory;
import io.estuary.mqttsn.codec.MqttSnFrame.Advertise;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MqttSnAdvertiseIT {

  @Test
  void advertise_goes_to_the_configured_target_every_interval() {
    // the test client listens where the gateway advertises (a unicast target instead of broadcast)
    try (MqttSnTestClient listener = new MqttSnTestClient(new InetSocketAddress("127.0.0.1", 9))) {
      try (TestGateway gw = TestGateway.builder()
          .config("""
              gateway.mqttsn {
                gateway_id = 9
                broadcast = true
                advertise_interval = 1s
                advertise_target = "127.0.0.1:%d"
                listeners.udp.default.bind = "127.0.0.1:0"
              }
              """.formatted(listener.localPort()))
          .adapter(new MqttSnAdapterFactory())
          .start()) {
        assertThat(listener.expect(Advertise.class)).isEqualTo(new Advertise(9, 1));
        assertThat(listener.poll(Duration.ofSeconds(3))).contains(new Advertise(9, 1));
      }
    }
  }
}
