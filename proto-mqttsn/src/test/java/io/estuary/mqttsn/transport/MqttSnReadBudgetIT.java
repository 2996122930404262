package io.estuary.mqttsn.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.mqttsn.codec.MqttSnFrame.*;
import io.estuary.mqttsn.codec.ReturnCode;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code unknown_datagram_rate} (issue #13): the listener socket handles at most that many datagrams a second
 * from addresses without a channel; beyond, it stops reading until a read batch's worth of budget is back and the
 * kernel drops the excess. What was read in the batch that ran out is counted as {@code
 * mqttsn.drops{reason=unknown_datagram_rate}}, each pause in {@code mqttsn.listener_paused}.
 */
@Timeout(60)
class MqttSnReadBudgetIT extends MqttSnGatewayFixture {
  private static final String LISTENER = "gateway.mqttsn.listeners.udp.default.";

  private double paused() {
    return gw.metrics().counter("mqttsn.listener_paused", "listener", "udp:default").count();
  }

  @Test
  void a_burst_from_unknown_addresses_beyond_the_budget_pauses_the_listener_and_the_excess_is_never_handled()
      throws Exception {
    start(LISTENER + "unknown_datagram_rate = \"100/s\"\n" + LISTENER + "source_datagram_rate = infinity\n");
    InetSocketAddress gateway = gw.listener("mqttsn", "udp:default");
    long begin = System.nanoTime();
    int sent = 500; // the kernel queue (recbuf 4MB) holds them all: handled at 100/s, then the CONNECT
    try (DatagramChannel flood = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.21", 0))) {
      ByteBuffer publish = ByteBuffer.wrap(new byte[] {7, 0x0C, 0x20, 0, 1, 0, 2}); // QoS 1, needs a connection
      for (int i = 0; i < sent; i++) {
        publish.rewind();
        flood.send(publish, gateway);
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> paused() >= 1.0 && drops("unknown_datagram_rate") >= 1.0);
    double handled = drops("no_session");
    double seconds = (System.nanoTime() - begin) / 1e9;
    // the bucket starts with one second's worth (100) and refills at 100/s
    assertThat(handled).as("datagrams handled after %.2f s", seconds).isGreaterThanOrEqualTo(100.0)
        .isLessThanOrEqualTo(100 + Math.ceil(100 * seconds) + 1);
    assertThat(handled + drops("unknown_datagram_rate")).isLessThanOrEqualTo(sent);
    // the listener reads again: a new client's CONNECT (retried as a client does) gets its CONNACK
    try (MqttSnTestClient c = sn("127.0.0.22")) {
      Optional<io.estuary.mqttsn.codec.MqttSnFrame> connack = Optional.empty();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (connack.isEmpty() && System.nanoTime() < deadline) {
        c.send(new Connect(false, true, 60, "rb-after"));
        connack = c.poll(Duration.ofSeconds(1));
      }
      assertThat(connack).contains(new Connack(ReturnCode.ACCEPTED));
    }
  }

  @Test
  void clients_with_a_channel_are_not_held_to_the_budget() throws Exception {
    start(LISTENER + "unknown_datagram_rate = \"10/s\"\n" + LISTENER + "connected_sockets = 0\n"
        + LISTENER + "source_datagram_rate = infinity\n");
    try (MqttSnTestClient c = sn("127.0.0.23")) {
      c.connect("rb-known", 60);
      for (int i = 0; i < 200; i++) { // on the shared listener socket, well beyond 10/s
        c.send(new PingReq(""));
        assertThat(c.expect(PingResp.class)).isEqualTo(new PingResp());
      }
    }
    assertThat(paused()).isZero();
    assertThat(drops("unknown_datagram_rate")).isZero();
  }
}
