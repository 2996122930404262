package io.estuary.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.testkit.TestGateway;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Listener limits: max_connections (EMQX framing: CONNACK AUTHFAILED; other framings: closed at accept),
 * max_conn_rate, the login deadline from the accept; the stop closes devices' sessions.
 */
@Timeout(60)
class ListenerLimitsIT {
  @Test
  void a_connect_over_max_connections_gets_connack_authfailed_and_is_counted() throws Exception {
    try (TestGateway gw = TestGateway.builder().adapter(new TcpAdapterFactory()).config(EmqxTcpIT.BIND + """
        gateway.tcp.listeners.tcp.default.max_connections = 1
        """).start(); RawDevice first = RawDevice.connect(gw.listener("tcp", "tcp:default"))) {
      first.writeHex(EmqxTcpIT.CONNECT);
      assertThat(first.readHex(23)).isEqualTo(EmqxTcpIT.CONNACK_OK);
      try (RawDevice second = RawDevice.connect(gw.listener("tcp", "tcp:default"))) {
        second.writeHex("10 00 07 3c 00 04 77 78 79 7a");
        assertThat(second.readHex(3)).as("CONNACK AUTHFAILED, the framing's only refusal").isEqualTo("21 00 00");
        assertThat(second.closedByServer()).isTrue();
      }
      assertThat(gw.session("wxyz")).isNull();
      assertThat(gw.context("tcp").metrics().counter("connections.rejected").count()).isEqualTo(1);
      first.writeHex("40");
      assertThat(first.readHex(1)).as("the first device is unaffected").isEqualTo("50");
    }
  }

  @Test
  void a_line_framing_connection_over_max_connections_is_closed_at_accept() throws Exception {
    try (TestGateway gw = TestGateway.builder().adapter(new TcpAdapterFactory()).config(EmqxTcpIT.BIND + """
        gateway.tcp.listeners.tcp.default { max_connections = 1, framing.type = line }
        """).start(); RawDevice first = RawDevice.connect(gw.listener("tcp", "tcp:default"))) {
      // admission happens as each connection is set up on its worker thread, not in accept order: let the first
      // one be admitted (a line-framed device's session opens at connect) before the second arrives
      await().atMost(Duration.ofSeconds(10)).until(() -> gw.sessions().size() == 1);
      try (RawDevice second = RawDevice.connect(gw.listener("tcp", "tcp:default"))) {
        assertThat(second.readToClose()).as("no answer: closed at accept").isEmpty();
      }
      assertThat(gw.context("tcp").metrics().counter("connections.rejected").count()).isEqualTo(1);
    }
  }

  @Test
  void a_connection_over_max_conn_rate_is_closed_at_accept_and_counted() throws Exception {
    try (TestGateway gw = TestGateway.builder().adapter(new TcpAdapterFactory()).config(EmqxTcpIT.BIND + """
        gateway.tcp.listeners.tcp.default.max_conn_rate = "2/m"
        """).start();
        RawDevice a = RawDevice.connect(gw.listener("tcp", "tcp:default"));
        RawDevice b = RawDevice.connect(gw.listener("tcp", "tcp:default"))) {
      a.writeHex(EmqxTcpIT.CONNECT);
      assertThat(a.readHex(23)).isEqualTo(EmqxTcpIT.CONNACK_OK);
      // b's CONNACK shows its accept was counted: accepts are checked on their channels' event loops, so a
      // connection opened later could otherwise be checked first and take b's token
      b.writeHex("10 00 07 3c 00 04 65 66 67 68");
      assertThat(b.readHex(23)).isEqualTo(EmqxTcpIT.CONNACK_OK);
      try (RawDevice third = RawDevice.connect(gw.listener("tcp", "tcp:default"))) {
        third.writeHex("10 00 07 3c 00 04 77 78 79 7a");
        assertThat(third.readToClose()).as("closed at accept, no CONNACK").isEmpty();
      }
      assertThat(gw.context("tcp").metrics().counter("connections.rate_limited").count()).isEqualTo(1);
    }
  }

  @Test
  void a_trickled_connect_and_a_silent_line_device_are_closed_at_idle_timeout_counted_from_the_accept() throws Exception {
    for (String framing : new String[] {"emqx", "line"}) {
      try (TestGateway gw = TestGateway.builder().adapter(new TcpAdapterFactory()).config(EmqxTcpIT.BIND
          + "gateway.tcp.idle_timeout = 1s\ngateway.tcp.listeners.tcp.default.framing.type = " + framing + "\n").start();
          RawDevice d = RawDevice.connect(gw.listener("tcp", "tcp:default"))) {
        long t0 = System.nanoTime();
        if (framing.equals("emqx")) {
          // a CONNECT that promises 7 bytes and sends them one at a time, slower than the timeout allows
          for (String b : "10 00 07 3c 00 04 61 62".split(" ")) {
            try {
              d.writeHex(b);
            } catch (java.io.IOException e) {
              break; // the server already closed: our write met the reset
            }
            await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> true);
          }
        }
        assertThat(d.closedByServer()).as("%s: closed by the server", framing).isTrue();
        Duration after = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(after).as("%s: at the 1 s deadline", framing).isBetween(Duration.ofMillis(900), Duration.ofSeconds(4));
        // a line device named by its peer address is logged in at accept: its missing first frame is a keepalive timeout
        String counter = framing.equals("emqx") ? "idle.timeouts" : "keepalive.timeouts";
        assertThat(gw.context("tcp").metrics().counter(counter).count()).as(counter).isEqualTo(1);
      }
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
