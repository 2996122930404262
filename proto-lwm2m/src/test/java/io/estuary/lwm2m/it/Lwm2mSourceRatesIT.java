package io.estuary.lwm2m.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Token;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #13: the per-source datagram rate ({@code source_datagram_rate}) on the LwM2M server's DTLS listeners and on
 * the bootstrap server's UDP and DTLS listeners, as on the LwM2M server's plain UDP ones. From one source, datagrams
 * over the rate are dropped before Californium or Scandium touch them: the sender gets no answer for exactly those
 * (a DTLS CLIENT_HELLO no HELLO_VERIFY_REQUEST, a CoAP request no response) and {@code lwm2m.datagrams.dropped}
 * counts exactly them.
 */
@Timeout(60)
class Lwm2mSourceRatesIT {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String PSK = "dtls_options.psk = [{ identity = \"x\", key = \"y\" }]";

  @Test
  void client_hellos_over_the_dtls_listeners_source_rate_get_no_hello_verify_request_and_are_counted() throws Exception {
    try (Lwm2mHarness h = new Lwm2mHarness("gateway.lwm2m.listeners.dtls.default { enable = true, bind = \"127.0.0.1:0\", "
        + "source_datagram_rate = \"3/m\", " + PSK + " }")) {
      List<byte[]> answers = send(h.gw.listener("lwm2m", "dtls:default"), Lwm2mSourceRatesIT::clientHello, 8, h);
      assertThat(answers).as("a HELLO_VERIFY_REQUEST for each admitted CLIENT_HELLO, nothing for the dropped").hasSize(3);
      for (byte[] a : answers) {
        assertThat(a[0]).as("a handshake record").isEqualTo((byte) 22);
        assertThat(a[13]).as("HELLO_VERIFY_REQUEST").isEqualTo((byte) 3);
      }
      assertThat(h.gw.metrics().counter("lwm2m.datagrams.dropped").count()).isEqualTo(5.0);
    }
  }

  @Test
  void requests_over_the_bootstrap_udp_listeners_source_rate_are_dropped_unanswered_and_counted() throws Exception {
    try (Lwm2mHarness h = new Lwm2mHarness("gateway.lwm2m.bootstrap { enable = true, server_host = \"127.0.0.1\" }",
        "gateway.lwm2m.bootstrap.listeners.udp.default { bind = \"127.0.0.1:0\", source_datagram_rate = \"3/m\" }")) {
      List<byte[]> answers = send(h.gw.listener("lwm2m", "bootstrap-udp:default"), Lwm2mSourceRatesIT::coapGet, 8, h);
      assertThat(answers).as("a CoAP response for each admitted request, nothing for the dropped").hasSize(3);
      assertThat(h.gw.metrics().counter("lwm2m.datagrams.dropped").count()).isEqualTo(5.0);
    }
  }

  @Test
  void requests_over_the_listener_wide_max_datagram_rate_pause_the_reader_and_are_counted_apart() throws Exception {
    try (Lwm2mHarness h = new Lwm2mHarness("gateway.lwm2m.bootstrap { enable = true, server_host = \"127.0.0.1\" }",
        "gateway.lwm2m.bootstrap.listeners.udp.default { bind = \"127.0.0.1:0\", max_datagram_rate = \"4/m\" }")) {
      // the 5th request read parks the bootstrap receiver for its 15 s: the 3 after it stay in the socket, unread
      List<byte[]> answers = send(h.gw.listener("lwm2m", "bootstrap-udp:default"), Lwm2mSourceRatesIT::coapGet, 8,
          () -> h.gw.metrics().counter("lwm2m.listener_paused").count() >= 1.0);
      assertThat(answers).as("a CoAP response for each admitted request, nothing for the rest").hasSize(4);
      assertThat(h.gw.metrics().counter("lwm2m.listener_paused").count()).isEqualTo(1.0);
      assertThat(h.gw.metrics().counter("lwm2m.datagrams.shed", "reason", "max_datagram_rate").count()).isEqualTo(0.0);
      assertThat(h.gw.metrics().counter("lwm2m.datagrams.dropped").count()).isEqualTo(0.0);
    }
  }

  @Test
  void requests_over_the_lwm2m_servers_max_datagram_rate_pause_its_reader_too() throws Exception {
    try (Lwm2mHarness h = new Lwm2mHarness(
        "gateway.lwm2m.listeners.udp.default { bind = \"127.0.0.1:0\", max_datagram_rate = \"3/m\" }")) {
      List<byte[]> answers = send(h.gw.listener("lwm2m", "udp:default"), Lwm2mSourceRatesIT::coapGet, 6,
          () -> h.gw.metrics().counter("lwm2m.listener_paused").count() >= 1.0);
      assertThat(answers).as("a CoAP response for each admitted request, nothing while the reader waits").hasSize(3);
      assertThat(h.gw.metrics().counter("lwm2m.listener_paused").count()).isEqualTo(1.0);
      assertThat(h.gw.metrics().counter("lwm2m.datagrams.shed", "reason", "max_datagram_rate").count()).isEqualTo(0.0);
    }
  }

  @Test
  void client_hellos_over_the_bootstrap_dtls_listeners_source_rate_get_no_answer_and_are_counted() throws Exception {
    try (Lwm2mHarness h = new Lwm2mHarness("gateway.lwm2m.bootstrap { enable = true, server_host = \"127.0.0.1\" }",
        "gateway.lwm2m.bootstrap.listeners.udp.default.bind = \"127.0.0.1:0\"",
        "gateway.lwm2m.bootstrap.listeners.dtls.default { enable = true, bind = \"127.0.0.1:0\", "
            + "source_datagram_rate = \"2/m\", " + PSK + " }")) {
      List<byte[]> answers = send(h.gw.listener("lwm2m", "bootstrap-dtls:default"), Lwm2mSourceRatesIT::clientHello, 7, h);
      assertThat(answers).hasSize(2);
      assertThat(answers).allSatisfy(a -> assertThat(a[13]).as("HELLO_VERIFY_REQUEST").isEqualTo((byte) 3));
      assertThat(h.gw.metrics().counter("lwm2m.datagrams.dropped").count()).isEqualTo(5.0);
    }
  }

  @Test
  void requests_to_the_lwm2m_and_bootstrap_servers_run_on_their_own_bounded_protocol_stages() throws Exception {
    try (Lwm2mHarness h = new Lwm2mHarness("gateway.lwm2m.bootstrap { enable = true, server_host = \"127.0.0.1\" }",
        "gateway.lwm2m.bootstrap.listeners.udp.default.bind = \"127.0.0.1:0\"")) {
      assertThat(send(h.gw.listener("lwm2m", "udp:default"), Lwm2mSourceRatesIT::coapGet, 2, () -> true)).hasSize(2);
      assertThat(send(h.gw.listener("lwm2m", "bootstrap-udp:default"), Lwm2mSourceRatesIT::coapGet, 2, () -> true))
          .hasSize(2);
      // californium.max_backlog counts the tasks of these executors (BacklogExecutor): Leshan's own would be unbounded
      assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList())
          .anyMatch(n -> n.startsWith("lwm2m-stage-")).anyMatch(n -> n.startsWith("lwm2m-bs-stage-"));
      assertThat(h.gw.metrics().counter("lwm2m.datagrams.shed", "reason", "max_backlog").count()).isEqualTo(0.0);
    }
  }

  /** Sends {@code n} datagrams from one socket; returns the answers that came within half a second of the last. */
  @Test
  void requests_from_unknown_addresses_share_unknown_datagram_rate_while_an_updated_registration_is_served()
      throws Exception {
    try (Lwm2mHarness h = new Lwm2mHarness("gateway.lwm2m.listeners.udp.default { bind = \"127.0.0.1:0\", "
        + "unknown_datagram_rate = \"5/h\", source_datagram_rate = infinity }")) {
      InetSocketAddress lwm2m = h.gw.listener("lwm2m", "udp:default");
      // 127.0.0.1 is new to the listener: its registration takes a token (a 2.01 proves nothing), and its update to
      // the location only it was given takes another and makes the address known
      org.eclipse.californium.core.CoapResponse registered = Lwm2mLimitsIT.register(lwm2m, "known-a", "</1/0>,</3/0>");
      assertThat(registered.getCode()).isEqualTo(ResponseCode.CREATED);
      assertThat(Lwm2mLimitsIT.update(lwm2m, registered, 0).getCode()).isEqualTo(ResponseCode.CHANGED);
      int sources = 20;
      int each = 5;
      int total = sources * each;
      List<DatagramSocket> flood = new ArrayList<>();
      int answers = 0;
      try {
        for (int i = 1; i <= sources; i++) {
          DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.9." + i), 0));
          flood.add(s);
          for (int k = 0; k < each; k++) {
            byte[] b = coapGet(k); // answered 4.04 when let through, which makes no address known
            s.send(new DatagramPacket(b, b.length, lwm2m));
          }
        }
        // at most 3 tokens are left after the registration and its update: every other flood datagram is shed
        await().atMost(WAIT).until(() -> unknownShed(h) >= total - 3);
        for (DatagramSocket s : flood) {
          s.setSoTimeout(200);
          try {
            while (true) {
              DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
              s.receive(p);
              assertThat(p.getData()[1]).as("4.04").isEqualTo((byte) 0x84);
              answers++;
            }
          } catch (SocketTimeoutException done) {
            // no more for this source
          }
        }
      } finally {
        flood.forEach(DatagramSocket::close);
      }
      assertThat(answers).as("the flood got an answer for exactly the datagrams let through").isBetween(1, 3);
      assertThat(unknownShed(h)).isEqualTo(total - answers);
      // the registered address is not charged however spent the budget is: a second registration goes through
      org.eclipse.californium.core.CoapResponse second =
          Lwm2mLimitsIT.post(lwm2m, "/rd?ep=known-b&lt=300&lwm2m=1.1", "</1/0>,</3/0>", 5_000);
      assertThat(second).as("answered: the updated address is known").isNotNull();
      assertThat(second.getCode()).isEqualTo(ResponseCode.CREATED);
      assertThat(unknownShed(h)).isEqualTo(total - answers);
    }
  }

  @Test
  void a_registrations_2_01_makes_its_address_known_only_when_known_source_rule_is_answered() throws Exception {
    String listener = "gateway.lwm2m.listeners.udp.default { bind = \"127.0.0.1:0\", unknown_datagram_rate = \"1/h\", "
        + "source_datagram_rate = infinity }";
    try (Lwm2mHarness h = new Lwm2mHarness(listener)) {
      InetSocketAddress lwm2m = h.gw.listener("lwm2m", "udp:default");
      assertThat(Lwm2mLimitsIT.register(lwm2m, "spoofable", "</1/0>").getCode()).isEqualTo(ResponseCode.CREATED);
      // reachable (the default): anyone can send a REGISTER from any address, so the 2.01 proves nothing
      assertThat(Lwm2mLimitsIT.post(lwm2m, "/rd?ep=spoofable-2&lt=300&lwm2m=1.1", "</1/0>", 1_500))
          .as("shed: the address is still unknown").isNull();
      assertThat(unknownShed(h)).isGreaterThanOrEqualTo(1.0);
    }
    try (Lwm2mHarness h = new Lwm2mHarness(listener, "gateway.lwm2m.known_source_rule = answered")) {
      InetSocketAddress lwm2m = h.gw.listener("lwm2m", "udp:default");
      assertThat(Lwm2mLimitsIT.register(lwm2m, "answered-1", "</1/0>").getCode()).isEqualTo(ResponseCode.CREATED);
      assertThat(Lwm2mLimitsIT.register(lwm2m, "answered-2", "</1/0>").getCode()).isEqualTo(ResponseCode.CREATED);
      assertThat(unknownShed(h)).isZero();
    }
  }

  @Test
  void requests_from_a_new_address_over_the_bootstrap_listeners_unknown_datagram_rate_are_shed_unanswered()
      throws Exception {
    try (Lwm2mHarness h = new Lwm2mHarness("gateway.lwm2m.bootstrap { enable = true, server_host = \"127.0.0.1\" }",
        "gateway.lwm2m.bootstrap.listeners.udp.default { bind = \"127.0.0.1:0\", unknown_datagram_rate = \"3/h\", "
            + "source_datagram_rate = infinity }")) {
      List<byte[]> answers = send(h.gw.listener("lwm2m", "bootstrap-udp:default"), Lwm2mSourceRatesIT::coapGet, 8,
          () -> unknownShed(h) >= 5.0);
      assertThat(answers).as("a CoAP response for each request within the budget, nothing for the shed").hasSize(3);
      assertThat(unknownShed(h)).isEqualTo(5.0);
      assertThat(h.gw.metrics().counter("lwm2m.datagrams.dropped").count()).isEqualTo(0.0);
    }
  }

  private static double unknownShed(Lwm2mHarness h) {
    return h.gw.metrics().counter("lwm2m.datagrams.shed", "reason", "unknown_datagram_rate").count();
  }

  private static List<byte[]> send(InetSocketAddress to, java.util.function.IntFunction<byte[]> datagram, int n,
      Lwm2mHarness h) throws Exception {
    return send(to, datagram, n, () -> h.gw.metrics().counter("lwm2m.datagrams.dropped").count() >= 5.0);
  }

  /** As above, waiting for {@code dropped} before collecting the answers. */
  private static List<byte[]> send(InetSocketAddress to, java.util.function.IntFunction<byte[]> datagram, int n,
      java.util.concurrent.Callable<Boolean> dropped) throws Exception {
    List<byte[]> answers = new ArrayList<>();
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      for (int i = 0; i < n; i++) {
        byte[] b = datagram.apply(i);
        s.send(new DatagramPacket(b, b.length, to));
      }
      await().atMost(WAIT).until(dropped);
      s.setSoTimeout(500);
      try {
        while (true) {
          DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
          s.receive(p);
          answers.add(Arrays.copyOf(p.getData(), p.getLength()));
        }
      } catch (SocketTimeoutException done) {
        // no more
      }
    }
    return answers;
  }

  private static byte[] coapGet(int i) {
    Request r = Request.newGet();
    r.setType(Type.NON);
    r.getOptions().setUriPath("nothing");
    r.setMID(200 + i);
    r.setToken(Token.fromProvider(new byte[] {(byte) i}));
    return new UdpDataSerializer().getByteArray(r);
  }

  /** A DTLS 1.2 CLIENT_HELLO without a cookie offering PSK suites: a server answers it with HELLO_VERIFY_REQUEST. */
  private static byte[] clientHello(int i) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {(byte) 0xfe, (byte) 0xfd});
    byte[] random = new byte[32];
    Arrays.fill(random, (byte) (i + 1));
    body.writeBytes(random);
    body.write(0); // session id
    body.write(0); // cookie
    // TLS_PSK_WITH_AES_128_CCM_8 (LwM2M's), TLS_PSK_WITH_AES_128_GCM_SHA256, TLS_PSK_WITH_AES_128_CBC_SHA256
    body.writeBytes(new byte[] {0, 6, (byte) 0xc0, (byte) 0xa8, 0, (byte) 0xa8, 0, (byte) 0xae});
    body.writeBytes(new byte[] {1, 0}); // compression: null
    byte[] b = body.toByteArray();
    ByteArrayOutputStream hs = new ByteArrayOutputStream();
    hs.write(1); // client_hello
    hs.writeBytes(u24(b.length));
    hs.writeBytes(new byte[] {0, 0}); // message_seq
    hs.writeBytes(u24(0)); // fragment_offset
    hs.writeBytes(u24(b.length)); // fragment_length
    hs.writeBytes(b);
    byte[] handshake = hs.toByteArray();
    ByteArrayOutputStream rec = new ByteArrayOutputStream();
    rec.writeBytes(new byte[] {22, (byte) 0xfe, (byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, (byte) i});
    rec.writeBytes(new byte[] {(byte) (handshake.length >> 8), (byte) handshake.length});
    rec.writeBytes(handshake);
    return rec.toByteArray();
  }

  private static byte[] u24(int v) {
    return new byte[] {(byte) (v >> 16), (byte) (v >> 8), (byte) v};
  }
}
