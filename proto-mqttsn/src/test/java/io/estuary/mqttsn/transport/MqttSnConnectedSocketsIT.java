package io.estuary.mqttsn.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.api.Payload;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Per-client connected UDP sockets (issue #13, {@code connected_sockets}): an established client's datagrams
 * are delivered by the kernel to a socket connected to its address on the listener's port (SO_REUSEPORT), so
 * a flood that fills the listener socket's queue does not drop them. Linux only (the 4-tuple match of
 * connected UDP sockets in a reuseport group).
 */
@Timeout(120)
class MqttSnConnectedSocketsIT extends MqttSnGatewayFixture {
  /** The listener under test; {@code connected_sockets = 0} here makes the flood test fail (tried by hand). */
  private static final String LISTENER = "gateway.mqttsn.listeners.udp.default.";

  @Test
  void the_kernel_delivers_a_connected_sockets_peer_to_it_and_everyone_else_to_the_shared_socket() throws Exception {
    try (DatagramChannel listener = reusePort(new InetSocketAddress("127.0.0.1", 0));
        DatagramChannel a = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.2", 0));
        DatagramChannel b = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.3", 0))) {
      InetSocketAddress port = (InetSocketAddress) listener.getLocalAddress();
      DatagramChannel connected = reusePort(port);
      connected.connect(a.getLocalAddress());
      a.send(ByteBuffer.wrap("from a".getBytes(StandardCharsets.US_ASCII)), port);
      b.send(ByteBuffer.wrap("from b".getBytes(StandardCharsets.US_ASCII)), port);
      assertThat(receive(connected)).contains("from a");
      assertThat(receive(listener)).contains("from b");
      assertThat(receive(connected)).isEmpty();
      assertThat(receive(listener)).isEmpty();
      connected.close();
      a.send(ByteBuffer.wrap("a again".getBytes(StandardCharsets.US_ASCII)), port);
      assertThat(receive(listener)).as("once the connected socket is closed").contains("a again");
    }
  }

  @Test
  void an_established_clients_qos1_publishes_are_all_acked_promptly_while_a_flood_fills_the_listener_socket()
      throws Exception {
    // a tiny receive buffer for the listener socket: a few datagrams; the flood keeps it full
    start(LISTENER + "recbuf = 4096\n" + LISTENER + "source_datagram_rate = infinity\n" + LISTENER + "connected_sockets = 100\n");
    AtomicBoolean flooding = new AtomicBoolean(true);
    AtomicLong flooded = new AtomicLong();
    List<Thread> flooders = new ArrayList<>();
    InetSocketAddress gateway = gw.listener("mqttsn", "udp:default");
    try (MqttSnTestClient c = sn("127.0.0.9")) {
      c.connect("cs-good", 60);
      c.send(new Register(0, 1, "cs/good"));
      int topicId = c.expect(Regack.class).topicId();
      long overflowsBefore = udpReceiveBufferErrors();
      for (String from : List.of("127.0.0.5", "127.0.0.6")) {
        Thread t = new Thread(() -> flood(from, gateway, flooding, flooded), "flood-" + from);
        t.setDaemon(true);
        t.start();
        flooders.add(t);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> udpReceiveBufferErrors() - overflowsBefore > 1000);
      int late = 0;
      for (int i = 1; i <= 200; i++) {
        c.send(new Publish(false, 1, false, new TopicRef.Id(topicId), i, Payload.utf8("m" + i)));
        Optional<?> ack = c.poll(Duration.ofSeconds(2));
        if (ack.isEmpty()) {
          late++;
        } else {
          assertThat(ack.get()).isEqualTo(new Puback(topicId, i, ReturnCode.ACCEPTED));
        }
      }
      long overflows = udpReceiveBufferErrors() - overflowsBefore;
      flooding.set(false);
      assertThat(overflows).as("the flood overflowed the listener socket's queue all along").isGreaterThan(1000);
      assertThat(late).as("publishes without a PUBACK within 2 s, during a flood of %d datagrams", flooded.get())
          .isZero();
    } finally {
      flooding.set(false);
      for (Thread t : flooders) {
        t.join(5000);
      }
    }
  }

  @Test
  void the_connected_sockets_gauge_follows_clients_and_clients_beyond_the_cap_share_the_listener_socket()
      throws Exception {
    start(LISTENER + "connected_sockets = 1\n");
    try (MqttSnTestClient a = sn("127.0.0.11"); MqttSnTestClient b = sn("127.0.0.12")) {
      assertThat(metric("connected_sockets")).isZero();
      a.connect("cs-a", 60);
      assertThat(metric("connected_sockets")).as("half-open: no socket of its own yet").isZero();
      a.send(new PingReq("")); // proves a's address
      a.expect(PingResp.class);
      await().atMost(Duration.ofSeconds(5)).until(() -> metric("connected_sockets") == 1.0);
      b.connect("cs-b", 60);
      b.send(new PingReq("")); // proves b's address; b is served on the listener socket
      b.expect(PingResp.class);
      await().atMost(Duration.ofSeconds(5)).until(() -> metric("connected_sockets_full_total") == 1.0);
      assertThat(metric("connected_sockets")).as("the cap").isEqualTo(1.0);
      a.send(new PingReq(""));
      a.expect(PingResp.class);
      a.send(Disconnect.plain());
      a.expect(Disconnect.class);
      await().atMost(Duration.ofSeconds(5)).until(() -> metric("connected_sockets") == 0.0);
      b.send(new PingReq(""));
      b.expect(PingResp.class);
      b.send(Disconnect.plain());
      b.expect(Disconnect.class);
      assertThat(metric("connected_socket_errors_total")).isZero();
    }
  }

  @Test
  void a_half_open_client_gets_no_socket_of_its_own_until_it_proves_its_address() throws Exception {
    start(LISTENER + "half_open_timeout = 1s\n" + LISTENER + "connected_sockets = 100\n"); // explicit: auto is 0 before Linux 6.13
    InetSocketAddress gateway = gw.listener("mqttsn", "udp:default");
    try (DatagramChannel spoof = DatagramChannel.open(StandardProtocolFamily.INET);
        MqttSnTestClient real = sn("127.0.0.15")) {
      spoof.bind(new InetSocketAddress("127.0.0.13", 0));
      // a spoofed CONNECT: answered, its address never answers back
      spoof.send(ByteBuffer.wrap(io.estuary.mqttsn.codec.MqttSnCodec.encode(new Connect(false, true, 60, "cs-spoof"))),
          gateway);
      await().atMost(Duration.ofSeconds(5)).until(() -> gw.session("cs-spoof") != null);
      assertThat(metric("connected_sockets")).as("no socket for a half-open client").isZero();
      await().atMost(Duration.ofSeconds(10)).until(() -> drops("half_open_timeout") == 1.0);
      await().atMost(Duration.ofSeconds(5)).until(() -> gw.session("cs-spoof") == null);
      assertThat(metric("connected_sockets")).isZero();
      assertThat(metric("connected_sockets_lingering")).as("none was ever opened").isZero();
      // a real client gets its socket once its first message after the CONNECT proves its address
      real.connect("cs-real", 60);
      assertThat(metric("connected_sockets")).isZero();
      real.send(new PingReq(""));
      real.expect(PingResp.class);
      await().atMost(Duration.ofSeconds(5)).until(() -> metric("connected_sockets") == 1.0);
      real.send(Disconnect.plain());
      real.expect(Disconnect.class);
    }
  }

  @Test
  void a_connect_sent_right_after_a_refusal_or_a_disconnect_is_answered_every_time() throws Exception {
    // explicit: auto is 0 before Linux 6.13; three CONNECTs a round from one address, faster than source_conn_rate
    start(LISTENER + "connected_sockets = 100\n" + LISTENER + "source_conn_rate = infinity\n"
        + LISTENER + "max_conn_rate = infinity\n");
    int rounds = 150;
    try (MqttSnTestClient c = sn("127.0.0.15")) {
      for (int i = 0; i < rounds; i++) {
        // refused: the channel closes and the address loses its socket at once, while the next CONNECT is on its way
        c.send(new Connect(true, true, 60, "cs-race"));
        c.expect(WillTopicReq.class);
        c.send(new WillTopic(0, false, "devices/#"));
        assertThat(c.expect(Connack.class).returnCode()).as("round %d, refusal", i)
            .isEqualTo(ReturnCode.REJECTED_INVALID_TOPIC_ID);
        c.send(new Connect(false, true, 60, "cs-race"));
        assertThat(answer(c)).as("round %d, the CONNECT right after the refusal", i)
            .isEqualTo(new Connack(ReturnCode.ACCEPTED));
        c.send(Disconnect.plain());
        assertThat(answer(c)).as("round %d, DISCONNECT", i).isInstanceOf(Disconnect.class);
        c.send(new Connect(false, true, 60, "cs-race"));
        assertThat(answer(c)).as("round %d, the CONNECT right after the DISCONNECT", i)
            .isEqualTo(new Connack(ReturnCode.ACCEPTED));
        c.send(Disconnect.plain());
        assertThat(answer(c)).as("round %d, second DISCONNECT", i).isInstanceOf(Disconnect.class);
      }
    }
    assertThat(metric("connected_socket_errors_total")).isZero();
    assertThat(metric("connected_sockets_reattached_total")).as("sockets kept across the gaps")
        .isGreaterThanOrEqualTo(2.0 * rounds);
  }

  /** The gateway's answer within 2 s (its first, well before a client's Tretry), or a failure naming the wait. */
  private static Object answer(MqttSnTestClient c) {
    return c.poll(Duration.ofSeconds(2)).map(Object.class::cast).orElse("no answer within 2 s");
  }

  private static void flood(String from, InetSocketAddress to, AtomicBoolean flooding, AtomicLong sent) {
    // a QoS 1 PUBLISH from an unknown address: dropped by its header (no_session); the queue is what matters
    ByteBuffer datagram = ByteBuffer.wrap(new byte[] {8, 0x0C, 0x20, 0, 1, 0, 2, 'x'});
    try (DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET)) {
      ch.bind(new InetSocketAddress(from, 0));
      long n = 0;
      while (flooding.get()) {
        datagram.rewind();
        ch.send(datagram, to);
        if (++n % 1024 == 0) {
          sent.addAndGet(1024);
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The kernel's count of UDP datagrams dropped for a full receive buffer (all sockets). */
  private static long udpReceiveBufferErrors() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
    for (int i = 0; i + 1 < lines.size(); i++) {
      if (lines.get(i).startsWith("Udp: ") && lines.get(i + 1).startsWith("Udp: ")) {
        List<String> names = List.of(lines.get(i).split(" "));
        return Long.parseLong(lines.get(i + 1).split(" ")[names.indexOf("RcvbufErrors")]);
      }
    }
    throw new AssertionError("no Udp line in /proc/net/snmp");
  }

  /** {@code estuary_mqttsn_<name>{listener="udp:default"}} from /metrics (0 when not there yet). */
  private double metric(String name) throws Exception {
    String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + gw.apiAddress().getPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("(?m)^estuary_mqttsn_" + name + "\\{listener=\"udp:default\"\\} (\\S+)$").matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : 0.0;
  }

  private static DatagramChannel reusePort(InetSocketAddress at) throws IOException {
    DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
    ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
    ch.bind(at);
    return ch;
  }

  /** The next datagram's text within 500 ms, or empty. */
  private static Optional<String> receive(DatagramChannel ch) throws Exception {
    ch.configureBlocking(false);
    ByteBuffer buf = ByteBuffer.allocate(100);
    long end = System.nanoTime() + Duration.ofMillis(500).toNanos();
    while (System.nanoTime() < end) {
      if (ch.receive(buf) != null) {
        buf.flip();
        return Optional.of(StandardCharsets.US_ASCII.decode(buf).toString());
      }
      Thread.onSpinWait();
    }
    return Optional.empty();
  }
}
