package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.api.Metrics;
import io.estuary.testkit.NonReadingClient;
import io.estuary.testkit.TestGateway;
import java.io.IOException;
import java.net.InetSocketAddress;
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
 * A client that sends and never reads: every PINGREQ it writes makes a PINGRESP the gateway cannot send, and these
 * used to pile up in the connection's outbound buffer without bound (~200 bytes of heap per 2-byte PINGREQ). Now the
 * listener stops reading from a connection that is not writable, so the client's own send buffer fills; once the
 * client reads, the listener reads again and every request is answered, none lost. Over plain TCP and WebSocket
 * (the same connection handler ends both pipelines). A client that reads nothing at all is still disconnected at its
 * keepalive: unlike the listener's own pauses, this one does not spare it.
 */
@Timeout(180)
class MqttNonReadingClientIT {
  /** PINGREQ (MQTT 3.1.1 §3.12): two bytes, answered by a two-byte PINGRESP. */
  private static final byte[] PINGREQ = bytes(0xC0, 0);
  /** SUBSCRIBE packet id 7 to "a/b", QoS 0. */
  private static final byte[] SUBSCRIBE = bytes(0x82, 8, 0, 7, 0, 3, 'a', '/', 'b', 0);
  private static final int CONNACK = 0x20;
  private static final int PINGRESP = 0xD0;
  private static final int SUBACK = 0x90;
  private static final int PINGREQS_PER_WRITE = 512;
  /**
   * Request bytes the client's socket may take before the gateway must have stopped reading: the answers to what it
   * read fill at most the kernel's send buffer ({@code net.ipv4.tcp_wmem}, 4 MB here) and Netty's 64 KiB; add the
   * socket buffers on the way in. Without the pause the gateway reads on, and this bounds what the failing test
   * costs (~200 bytes of heap per PINGREQ).
   */
  private static final long MAX_ACCEPTED = 16L << 20;

  /**
   * {@code ws-ping}: each WebSocket write also carries a Ping frame, which Netty's WebSocket handler answers with a
   * Pong and a read of its own; those reads must not go on while reading is paused.
   */
  @ParameterizedTest
  @ValueSource(strings = {"tcp", "ws", "ws-ping"})
  void a_client_that_sends_pingreqs_and_never_reads_stops_being_read_then_gets_every_answer_once_it_reads(String type)
      throws Exception {
    String transport = type.startsWith("ws") ? "ws" : "tcp";
    try (TestGateway gw = TestGateway.builder().config("listeners.ws.default.enable = true").start();
        NonReadingClient c = NonReadingClient.connect(new InetSocketAddress("127.0.0.1", gw.mqttPort(transport)))) {
      Wire wire = new Wire(c, transport.equals("ws"), type.equals("ws-ping"));
      connect(c, wire, 4, 60);
      byte[] chunk = wire.frame(repeat(PINGREQ, PINGREQS_PER_WRITE));
      long start = c.accepted();
      floodUntilNotRead(gw, c, chunk, type);
      assertThat(gw.session("non-reader")).as("the client stays connected meanwhile").isNotNull();

      // the client reads everything and keeps reading: the gateway reads again and answers every PINGREQ
      await("every PINGREQ answered").atMost(Duration.ofSeconds(60)).pollInSameThread().pollInterval(Duration.ofMillis(1))
          .until(() -> c.finishPending() & wire.read()
              && wire.count(PINGRESP) == (c.accepted() - start) / chunk.length * PINGREQS_PER_WRITE);
      assertThat((c.accepted() - start) % chunk.length).as("whole chunks written").isZero();

      // and a new request is answered
      c.writeFully(wire.frame(SUBSCRIBE));
      await("SUBACK").atMost(Duration.ofSeconds(10)).pollInSameThread().pollInterval(Duration.ofMillis(1))
          .until(() -> wire.read() && wire.count(SUBACK) == 1);
      assertThat(wire.counts()).as("packets by type").containsOnlyKeys(CONNACK, PINGRESP, SUBACK);
      assertThat(gw.session("non-reader").subscriptions()).isEqualTo(1);
    }
  }

  /** MQTT 5: the DISCONNECT 0x8D cannot be written either; the connection is closed one keepalive period later. */
  @ParameterizedTest
  @ValueSource(ints = {4, 5})
  void a_client_that_never_reads_is_disconnected_at_its_keepalive_although_reading_from_it_is_paused(int version)
      throws Exception {
    try (TestGateway gw = TestGateway.builder().start();
        NonReadingClient c = NonReadingClient.connect(new InetSocketAddress("127.0.0.1", gw.mqttPort()))) {
      Wire wire = new Wire(c, false, false);
      connect(c, wire, version, 2); // the gateway ends the connection after 3 s without reading a packet
      byte[] chunk = repeat(PINGREQ, PINGREQS_PER_WRITE);
      floodUntilNotRead(gw, c, chunk, "tcp");
      // a pause of ours spares the client its keepalive; this one is the client's doing: its silence counts
      await("the gateway closes the connection: the client's writes fail").atMost(Duration.ofSeconds(30))
          .pollInSameThread().pollInterval(Duration.ofMillis(50)).until(() -> c.writeFails(chunk));
      await("the session closed").atMost(Duration.ofSeconds(10)).until(() -> gw.session("non-reader") == null);
    }
  }

  /** CONNECT (3.1.1 or 5, clean, client id "non-reader", {@code keepAlive} seconds), then its CONNACK. */
  private static void connect(NonReadingClient c, Wire wire, int version, int keepAlive) throws IOException {
    wire.handshake();
    byte[] id = "non-reader".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer connect = ByteBuffer.allocate(64).put(bytes(0x10, 0, 0, 4, 'M', 'Q', 'T', 'T', version, 0x02, 0, keepAlive));
    if (version == 5) {
      connect.put((byte) 0); // no properties
    }
    connect.putShort((short) id.length).put(id).put(1, (byte) (connect.position() - 2)).flip();
    byte[] packet = new byte[connect.remaining()];
    connect.get(packet);
    c.writeFully(wire.frame(packet));
    await("CONNACK").atMost(Duration.ofSeconds(10)).pollInSameThread().pollInterval(Duration.ofMillis(1))
        .until(() -> wire.read() && wire.count(CONNACK) == 1);
  }

  /** {@link NonReadingClient#floodUntilNotRead} against the MQTT listener's pause counter. */
  private static void floodUntilNotRead(TestGateway gw, NonReadingClient c, byte[] chunk, String type) throws IOException {
    Metrics.Counter paused = gw.metrics().counter("mqtt.reads.paused", "reason", "unwritable");
    long taken = c.floodUntilNotRead(chunk, paused::count, MAX_ACCEPTED);
    System.out.printf("MqttNonReadingClientIT %s: the gateway stopped reading after %,d request bytes%n", type, taken);
  }


  /**
   * The client's side of the wire: frames what it sends (WebSocket: one masked binary frame per write) and counts the
   * MQTT packets it reads, by their first byte.
   */
  private static final class Wire {
    private final NonReadingClient.Framing framing;
    private final ByteBuffer mqtt = ByteBuffer.allocate(1 << 16);
    private final Map<Integer, Integer> packets = new TreeMap<>();

    Wire(NonReadingClient c, boolean ws, boolean pings) {
      this.framing = new NonReadingClient.Framing(c, ws, pings, 2); // MQTT in binary frames
    }

    void handshake() throws IOException {
      framing.handshake("/mqtt", "mqtt");
    }

    byte[] frame(byte[] payload) {
      return framing.frame(payload);
    }

    /** Reads what arrives within a few milliseconds and counts the whole packets in it; true (for chaining). */
    boolean read() throws IOException {
      framing.read(mqtt);
      mqtt.flip();
      while (mqtt.remaining() >= 2 && mqtt.remaining() >= 2 + mqtt.get(mqtt.position() + 1)) { // lengths < 128 here
        int type = mqtt.get() & 0xFF;
        mqtt.position(mqtt.position() + 1 + mqtt.get(mqtt.position()));
        packets.merge(type, 1, Integer::sum);
      }
      mqtt.compact();
      return true;
    }

    int count(int type) {
      return packets.getOrDefault(type, 0);
    }

    Map<Integer, Integer> counts() {
      return packets;
    }
  }

  private static byte[] repeat(byte[] request, int times) {
    byte[] out = new byte[request.length * times];
    for (int i = 0; i < times; i++) {
      System.arraycopy(request, 0, out, i * request.length, request.length);
    }
    return out;
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }
}
