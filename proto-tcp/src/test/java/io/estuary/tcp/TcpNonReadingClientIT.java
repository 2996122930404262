package io.estuary.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.api.Metrics;
import io.estuary.tcp.codec.Hex;
import io.estuary.testkit.NonReadingClient;
import io.estuary.testkit.TestGateway;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A device that sends and never reads (EMQX's TCP framing): every PING makes a PONG the gateway cannot send, and these
 * used to pile up in the connection's outbound buffer without bound. Now the listener stops reading from a connection
 * that is not writable, so the device's own send buffer fills; once the device reads, the listener reads again and
 * every PING is answered, none lost. A device that reads nothing at all is still closed at its keepalive.
 */
@Timeout(180)
class TcpNonReadingClientIT {
  private static final byte PING = 0x40;
  private static final byte PONG = 0x50;
  private static final int PINGS_PER_WRITE = 1024;
  /**
   * Request bytes the device's socket may take before the gateway must have stopped reading: the PONGs for what it read
   * fill at most the kernel's send buffer ({@code net.ipv4.tcp_wmem}, 4 MB here) and Netty's 64 KiB; add the socket
   * buffers on the way in. Without the pause the gateway reads on, and this bounds what the failing test costs.
   */
  private static final long MAX_ACCEPTED = 16L << 20;

  @Test
  void a_device_that_sends_pings_and_never_reads_stops_being_read_then_gets_every_pong_once_it_reads() throws Exception {
    try (TestGateway gw = TestGateway.builder().adapter(new TcpAdapterFactory()).config(EmqxTcpIT.BIND).start();
        NonReadingClient d = NonReadingClient.connect(gw.listener("tcp", "tcp:default"))) {
      ByteBuffer in = ByteBuffer.allocate(1 << 16);
      connect(d, in, EmqxTcpIT.CONNECT);
      long start = d.accepted();
      floodUntilNotRead(gw, d);
      assertThat(gw.session("abcd")).as("the device stays connected meanwhile").isNotNull();

      // the device reads everything and keeps reading: the gateway reads again and answers every PING
      long[] pongs = {0};
      await("every PING answered").atMost(Duration.ofSeconds(60)).pollInSameThread().pollInterval(Duration.ofMillis(1))
          .until(() -> d.finishPending() & countPongs(d, in, pongs) && pongs[0] == d.accepted() - start);

      // and a new request is answered
      d.writeFully(new byte[] {PING});
      await("the new PING's PONG").atMost(Duration.ofSeconds(10)).pollInSameThread().pollInterval(Duration.ofMillis(1))
          .until(() -> countPongs(d, in, pongs) && pongs[0] == d.accepted() - start);
    }
  }

  @Test
  void a_device_that_never_reads_is_closed_at_its_keepalive_although_reading_from_it_is_paused() throws Exception {
    try (TestGateway gw = TestGateway.builder().adapter(new TcpAdapterFactory()).config(EmqxTcpIT.BIND).start();
        NonReadingClient d = NonReadingClient.connect(gw.listener("tcp", "tcp:default"))) {
      connect(d, ByteBuffer.allocate(1 << 16), "10 00 07 02 00 04 61 62 63 64"); // keepalive 2 s: closed after 3 s
      floodUntilNotRead(gw, d);
      // a pause of ours (a rate) spares the device its keepalive; this one is the device's doing: its silence counts
      await("the gateway closes the connection: the device's writes fail").atMost(Duration.ofSeconds(30))
          .pollInSameThread().pollInterval(Duration.ofMillis(50)).until(() -> d.writeFails(pings()));
      assertThat(gw.context("tcp").metrics().counter("keepalive.timeouts").count()).isEqualTo(1);
      await("the session closed").atMost(Duration.ofSeconds(10)).until(() -> gw.session("abcd") == null);
    }
  }

  /** CONNECT (hex), then the reference CONNACK and nothing else. */
  private static void connect(NonReadingClient d, ByteBuffer in, String connect) throws java.io.IOException {
    d.writeFully(Hex.bytes(connect));
    await("CONNACK").atMost(Duration.ofSeconds(10)).pollInSameThread().pollInterval(Duration.ofMillis(1))
        .until(() -> d.read(in, Duration.ofMillis(20)) >= 0 && in.position() >= 23);
    assertThat(Hex.of(Arrays.copyOf(in.array(), 23))).isEqualTo(EmqxTcpIT.CONNACK_OK);
    assertThat(in.position()).isEqualTo(23);
    in.clear();
  }

  /** {@link NonReadingClient#floodUntilNotRead} with PINGs against the TCP gateway's pause counter. */
  private static void floodUntilNotRead(TestGateway gw, NonReadingClient d) throws java.io.IOException {
    Metrics.Counter paused = gw.context("tcp").metrics().counter("reads.paused", "reason", "unwritable");
    long taken = d.floodUntilNotRead(pings(), paused::count, MAX_ACCEPTED);
    System.out.printf("TcpNonReadingClientIT: the gateway stopped reading after %,d request bytes%n", taken);
  }


  private static byte[] pings() {
    byte[] chunk = new byte[PINGS_PER_WRITE];
    Arrays.fill(chunk, PING);
    return chunk;
  }

  /** Reads what arrives within a few milliseconds; every byte must be a PONG. True (for chaining). */
  private static boolean countPongs(NonReadingClient d, ByteBuffer in, long[] pongs) throws java.io.IOException {
    if (d.read(in, Duration.ofMillis(20)) < 0) {
      throw new AssertionError("closed by the gateway");
    }
    in.flip();
    while (in.hasRemaining()) {
      assertThat(in.get()).as("a PONG").isEqualTo(PONG);
      pongs[0]++;
    }
    in.clear();
    return true;
  }
}
