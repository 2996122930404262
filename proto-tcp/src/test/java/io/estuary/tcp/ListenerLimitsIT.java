package io.estuary.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.testkit.TestGateway;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Listener limits: max_connections closes what is over the cap at accept; the stop closes devices' sessions. */
@Timeout(60)
class ListenerLimitsIT {
  @Test
  void connections_over_max_connections_are_closed_at_accept_and_counted() throws Exception {
    try (TestGateway gw = TestGateway.builder().adapter(new TcpAdapterFactory()).config(EmqxTcpIT.BIND + """
        gateway.tcp.listeners.tcp.default.max_connections = 1
        """).start(); RawDevice first = RawDevice.connect(gw.listener("tcp", "tcp:default"))) {
      first.writeHex(EmqxTcpIT.CONNECT);
      assertThat(first.readHex(23)).isEqualTo(EmqxTcpIT.CONNACK_OK);
      try (RawDevice second = RawDevice.connect(gw.listener("tcp", "tcp:default"))) {
        second.writeHex("10 00 07 3c 00 04 77 78 79 7a");
        assertThat(second.readToClose()).as("no CONNACK: closed at accept").isEmpty();
      }
      assertThat(gw.context("tcp").metrics().counter("connections.rejected").count()).isEqualTo(1);
      first.writeHex("40");
      assertThat(first.readHex(1)).as("the first device is unaffected").isEqualTo("50");
    }
  }

  @Test
  void stopping_the_gateway_closes_device_connections() throws Exception {
    TestGateway gw = TestGateway.builder().adapter(new TcpAdapterFactory()).config(EmqxTcpIT.BIND).start();
    try (RawDevice d = RawDevice.connect(gw.listener("tcp", "tcp:default"))) {
      d.writeHex(EmqxTcpIT.CONNECT);
      d.read(23);
      await().atMost(Duration.ofSeconds(5)).until(() -> gw.session("abcd") != null);
      gw.close();
      assertThat(d.closedByServer()).isTrue();
    }
  }
}
