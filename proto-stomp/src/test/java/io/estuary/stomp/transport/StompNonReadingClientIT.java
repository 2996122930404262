package io.estuary.stomp.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.api.Metrics;
import io.estuary.testkit.NonReadingClient;
import io.estuary.testkit.TestGateway;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that sends and never reads: every frame with a {@code receipt} header makes a RECEIPT the gateway cannot
 * send, and these used to pile up in the connection's outbound buffer without bound. Now the listener stops reading
 * from a connection that is not writable, so the client's own send buffer fills; once the client reads, the listener
 * reads again and every frame gets its RECEIPT, none lost. Over plain TCP and WebSocket (the same connection handler
 * ends both pipelines). A client that reads nothing at all still times out on its heart-beats, and its socket is
 * closed although the ERROR cannot be written.
 */
@Timeout(180)
class StompNonReadingClientIT {
  /** Two frames that ask for a RECEIPT and leave nothing behind: a transaction begun and aborted. */
  private static final String BEGIN_ABORT = "BEGIN\ntransaction:t\nreceipt:b\n\n\0ABORT\ntransaction:t\nreceipt:a\n\n\0";
  private static final int PAIRS_PER_WRITE = 256;
  /**
   * Request bytes the client's socket may take before the gateway must have stopped reading: the RECEIPTs for what it
   * read fill at most the kernel's send buffer ({@code net.ipv4.tcp_wmem}, 4 MB here) and Netty's 64 KiB; add the
   * socket buffers on the way in. Without the pause the gateway reads on, and this bounds what the failing test costs.
   */
  private static final long MAX_ACCEPTED = 16L << 20;

  /**
   * {@code ws-ping}: each WebSocket write also carries a Ping frame, which Netty's WebSocket handler answers with a
   * Pong and a read of its own; those reads must not go on while reading is paused.
   */
  @ParameterizedTest
  @ValueSource(strings = {"tcp", "ws", "ws-ping"})
  void a_client_that_asks_for_receipts_and_never_reads_stops_being_read_then_gets_every_receipt_once_it_reads(String type)
      throws Exception {
    String transport = type.startsWith("ws") ? "ws" : "tcp";
    try (TestGateway gw = StompGateways.start();
        NonReadingClient c = NonReadingClient.connect(gw.listener("stomp", transport + ":default"))) {
      Wire wire = new Wire(c, transport.equals("ws"), type.equals("ws-ping"));
      connect(c, wire, "0,0");
      byte[] chunk = wire.frame(BEGIN_ABORT.repeat(PAIRS_PER_WRITE).getBytes(StandardCharsets.UTF_8));
      long start = c.accepted();
      floodUntilNotRead(gw, c, chunk, type);
      assertThat(gw.metrics().counter("stomp.connects").count()).isEqualTo(1);
      assertThat(gw.metrics().counter("stomp.heartbeat.timeouts").count()).as("the client stays connected meanwhile").isZero();

      // the client reads everything and keeps reading: the gateway reads again and every frame gets its RECEIPT
      await("every RECEIPT").atMost(Duration.ofSeconds(60)).pollInSameThread().pollInterval(Duration.ofMillis(1))
          .until(() -> c.finishPending() & wire.read()
              && wire.count("RECEIPT") == (c.accepted() - start) / chunk.length * PAIRS_PER_WRITE * 2);
      assertThat((c.accepted() - start) % chunk.length).as("whole chunks written").isZero();
      assertThat(gw.metrics().counter("stomp.transactions", "outcome", "abort").count())
          .isEqualTo((double) (c.accepted() - start) / chunk.length * PAIRS_PER_WRITE);

      // and a new request is answered
      c.writeFully(wire.frame("SUBSCRIBE\nid:0\ndestination:a/b\nreceipt:s\n\n\0".getBytes(StandardCharsets.UTF_8)));
      await("the SUBSCRIBE's RECEIPT").atMost(Duration.ofSeconds(10)).pollInSameThread().pollInterval(Duration.ofMillis(1))
          .until(() -> wire.read() && wire.last().contains("receipt-id:s\n"));
      assertThat(wire.counts()).as("frames by command").containsOnlyKeys("CONNECTED", "RECEIPT");
    }
  }

  @Test
  void a_client_that_never_reads_times_out_on_heart_beats_and_its_socket_is_closed_at_idle_timeout() throws Exception {
    try (TestGateway gw = StompGateways.start("""
            gateway.stomp.heartbeat { send = 0, receive = 500ms, multiplier = 2.0 }
            gateway.stomp.idle_timeout = 2s
            """);
        NonReadingClient c = NonReadingClient.connect(StompGateways.tcp(gw))) {
      Wire wire = new Wire(c, false, false);
      connect(c, wire, "500,0"); // the client promises a heart-beat every 500 ms: 1 s of silence times it out
      byte[] chunk = BEGIN_ABORT.repeat(PAIRS_PER_WRITE).getBytes(StandardCharsets.UTF_8);
      floodUntilNotRead(gw, c, chunk, "tcp");
      // a pause of ours spares the client its heart-beat; this one is the client's doing: its silence counts. The
      // ERROR then waits behind everything the client did not read, so the socket is closed at idle_timeout
      await("the heart-beat timeout").atMost(Duration.ofSeconds(30))
          .until(() -> gw.metrics().counter("stomp.heartbeat.timeouts").count() == 1);
      await("the gateway closes the socket: the client's writes fail").atMost(Duration.ofSeconds(30))
          .pollInSameThread().pollInterval(Duration.ofMillis(50)).until(() -> c.writeFails(chunk));
    }
  }

  /** CONNECT (STOMP 1.2, {@code heartBeat} "cx,cy"), then its CONNECTED. */
  private static void connect(NonReadingClient c, Wire wire, String heartBeat) throws IOException {
    wire.handshake();
    c.writeFully(wire.frame(("CONNECT\naccept-version:1.2\nhost:estuary\nheart-beat:" + heartBeat + "\n\n\0")
        .getBytes(StandardCharsets.UTF_8)));
    await("CONNECTED").atMost(Duration.ofSeconds(10)).pollInSameThread().pollInterval(Duration.ofMillis(1))
        .until(() -> wire.read() && wire.count("CONNECTED") == 1);
  }

  /** {@link NonReadingClient#floodUntilNotRead} against the STOMP listener's pause counter. */
  private static void floodUntilNotRead(TestGateway gw, NonReadingClient c, byte[] chunk, String type) throws IOException {
    Metrics.Counter paused = gw.metrics().counter("stomp.reads.paused", "reason", "unwritable");
    long taken = c.floodUntilNotRead(chunk, paused::count, MAX_ACCEPTED);
    System.out.printf("StompNonReadingClientIT %s: the gateway stopped reading after %,d request bytes%n", type, taken);
  }


  /**
   * The client's side of the wire: frames what it sends (WebSocket: one masked frame per write) and counts the STOMP
   * frames it reads, by command.
   */
  private static final class Wire {
    private final NonReadingClient.Framing framing;
    private final ByteBuffer stomp = ByteBuffer.allocate(1 << 16);
    private final Map<String, Integer> frames = new TreeMap<>();
    private String last = "";

    Wire(NonReadingClient c, boolean ws, boolean pings) {
      this.framing = new NonReadingClient.Framing(c, ws, pings, 1, 2); // STOMP in text frames (binary accepted)
    }

    void handshake() throws IOException {
      framing.handshake("/ws", "v12.stomp");
    }

    byte[] frame(byte[] payload) {
      return framing.frame(payload);
    }

    /** Reads what arrives within a few milliseconds and counts the whole frames in it; true (for chaining). */
    boolean read() throws IOException {
      framing.read(stomp);
      stomp.flip();
      for (int end = nul(stomp); end >= 0; end = nul(stomp)) {
        byte[] f = new byte[end - stomp.position()];
        stomp.get(f).get(); // the frame and its NUL
        last = new String(f, StandardCharsets.UTF_8).stripLeading(); // EOLs between frames are heart-beats
        frames.merge(last.substring(0, last.indexOf('\n')), 1, Integer::sum);
      }
      stomp.compact();
      return true;
    }

    private static int nul(ByteBuffer b) {
      for (int i = b.position(); i < b.limit(); i++) {
        if (b.get(i) == 0) {
          return i;
        }
      }
      return -1;
    }

    int count(String command) {
      return frames.getOrDefault(command, 0);
    }

    String last() {
      return last;
    }

    Map<String, Integer> counts() {
      return frames;
    }
  }
}
