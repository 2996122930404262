package io.estuary.stomp.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.stomp.codec.Command;
import io.estuary.stomp.codec.StompFrame;
import io.estuary.testkit.TestGateway;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #13's per-client rates on the STOMP listener ({@code messages_rate}, {@code bytes_rate}, EMQX's names): a
 * client that writes all its SENDs at once is read at the rate — the listener stops reading while it is over it —
 * every SEND gets its RECEIPT and reaches a subscriber, in order.
 */
@Timeout(60)
class StompRatesIT {

  @Test
  void a_client_over_messages_rate_is_read_at_the_rate_and_loses_nothing() {
    int count = 100;
    int rate = 20;
    try (TestGateway gw = StompGateways.start("gateway.stomp.listeners.tcp.default.messages_rate = \"" + rate + "/s\"");
        RawStompClient sub = subscriber(gw, "rates/m");
        RawStompClient c = new RawStompClient(StompGateways.tcp(gw))) {
      assertThat(c.connect().command()).isEqualTo(Command.CONNECTED);
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (int i = 0; i < count; i++) {
        all.writeBytes(("SEND\ndestination:rates/m\nreceipt:r" + i + "\n\nm" + i + "\0").getBytes(StandardCharsets.UTF_8));
      }
      long start = System.nanoTime();
      c.write(all.toByteArray()); // every SEND in one write: the listener has them all before its first pause
      long[] receipts = receipts(c, count);
      // the first `rate` ride the bucket's burst; the rest take at least (count - rate) / rate seconds from the write.
      // Measured over the whole run, not from a receipt in the middle: a stall of the gateway (a loaded machine)
      // refills the bucket, and the burst after it would make a mid-run window look faster than the rate
      double seconds = (receipts[count - 1] - start) / 1e9;
      double measured = (count - rate) / seconds;
      System.out.printf("StompRatesIT messages_rate %d/s: SENDs %d..%d in %.2f s = %.1f/s%n", rate, rate, count - 1,
          seconds, measured);
      assertThat(measured).as("measured SEND rate after the burst").isBetween(rate * 0.6, rate * 1.25);
      for (int i = 0; i < count; i++) {
        StompFrame m = sub.next();
        assertThat(m.command()).isEqualTo(Command.MESSAGE);
        assertThat(m.body().toByteArray()).as("message %d, in order", i).isEqualTo(("m" + i).getBytes(StandardCharsets.UTF_8));
      }
      assertThat(gw.metrics().counter("stomp.messages.received").count()).isEqualTo(count);
      long pauses = (long) gw.metrics().counter("stomp.reads.paused", "reason", "messages_rate").count();
      // about one pause per SEND after the burst of `rate`, fewer when several SENDs' debt is paid at once
      assertThat(pauses).as("stomp.reads.paused{reason=messages_rate}").isBetween((long) (count - rate) / 2, (long) count - rate);
      assertThat(gw.metrics().counter("stomp.reads.paused", "reason", "bytes_rate").count()).isZero();
    }
  }

  @Test
  void a_client_over_bytes_rate_is_read_at_the_rate_and_loses_nothing() {
    int count = 40;
    int kib = 8;
    try (TestGateway gw = StompGateways.start("gateway.stomp.listeners.tcp.default.bytes_rate = \"" + kib + "KB/s\"");
        RawStompClient sub = subscriber(gw, "rates/b");
        RawStompClient c = new RawStompClient(StompGateways.tcp(gw))) {
      assertThat(c.connect().command()).isEqualTo(Command.CONNECTED);
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (int i = 0; i < count; i++) {
        // 1 KiB per frame on the wire: headers, blank line, body, NUL
        byte[] head = ("SEND\ndestination:rates/b\nreceipt:r" + (100 + i) + "\n\n").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[1024 - head.length - 1];
        Arrays.fill(body, (byte) ('a' + i % 26));
        all.writeBytes(head);
        all.writeBytes(body);
        all.write(0);
      }
      long start = System.nanoTime();
      c.write(all.toByteArray());
      long[] receipts = receipts(c, count);
      int burst = kib; // one period's worth: 8 frames of 1 KiB; the rest take at least (count - burst) / kib seconds
      double seconds = (receipts[count - 1] - start) / 1e9;
      double measured = (count - burst) / seconds;
      System.out.printf("StompRatesIT bytes_rate %dKB/s: %d KiB after the burst in %.2f s = %.1f KiB/s%n", kib,
          count - burst, seconds, measured);
      assertThat(measured).as("measured KiB/s after the burst").isBetween(kib * 0.6, kib * 1.25);
      for (int i = 0; i < count; i++) {
        StompFrame m = sub.next();
        assertThat(m.command()).isEqualTo(Command.MESSAGE);
        byte[] b = m.body().toByteArray();
        assertThat(b[0]).as("message %d, in order", i).isEqualTo((byte) ('a' + i % 26));
      }
      assertThat(gw.metrics().counter("stomp.messages.received").count()).isEqualTo(count);
      assertThat(gw.metrics().counter("stomp.reads.paused", "reason", "bytes_rate").count()).isPositive();
      assertThat(gw.metrics().counter("stomp.reads.paused", "reason", "messages_rate").count()).isZero();
    }
  }

  @Test
  void a_websocket_client_over_messages_rate_is_read_at_the_rate_and_loses_nothing() throws Exception {
    int count = 60;
    int rate = 20;
    try (TestGateway gw = StompGateways.start("gateway.stomp.listeners.ws.default.messages_rate = \"" + rate + "/s\"")) {
      List<Long> receipts = java.util.Collections.synchronizedList(new ArrayList<>());
      List<String> frames = java.util.Collections.synchronizedList(new ArrayList<>());
      StringBuilder partial = new StringBuilder();
      WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("v12.stomp")
          .buildAsync(URI.create("ws://127.0.0.1:" + gw.listener("stomp", "ws:default").getPort() + "/ws"),
              new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                  partial.append(data);
                  if (last) {
                    String f = partial.toString();
                    partial.setLength(0);
                    frames.add(f);
                    if (f.startsWith("RECEIPT")) {
                      receipts.add(System.nanoTime());
                    }
                  }
                  w.request(1);
                  return null;
                }
              }).join();
      ws.sendText("CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:0,0\n\n\0", true).join();
      await().atMost(Duration.ofSeconds(10)).until(() -> frames.stream().anyMatch(f -> f.startsWith("CONNECTED")));
      StringBuilder all = new StringBuilder();
      for (int i = 0; i < count; i++) {
        all.append("SEND\ndestination:rates/ws\nreceipt:w").append(i).append("\n\nm").append(i).append('\0');
      }
      long start = System.nanoTime();
      ws.sendText(all, true).join(); // every SEND in one WebSocket message
      await("a RECEIPT per SEND").atMost(Duration.ofSeconds(20)).until(() -> receipts.size() == count);
      double seconds = (receipts.get(count - 1) - start) / 1e9; // over the whole run, as the TCP test
      double measured = (count - rate) / seconds;
      System.out.printf("StompRatesIT ws messages_rate %d/s: SENDs %d..%d in %.2f s = %.1f/s%n", rate, rate, count - 1,
          seconds, measured);
      assertThat(measured).as("measured SEND rate after the burst").isBetween(rate * 0.6, rate * 1.25);
      assertThat(frames.stream().filter(f -> f.startsWith("RECEIPT")).map(f -> f.split("\n")[1]).toList())
          .as("receipts in the order of the SENDs").containsExactlyElementsOf(
              java.util.stream.IntStream.range(0, count).mapToObj(i -> "receipt-id:w" + i).toList());
      assertThat(gw.metrics().counter("stomp.messages.received").count()).isEqualTo(count);
      assertThat(gw.metrics().counter("stomp.reads.paused", "reason", "messages_rate").count()).isPositive();
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
    }
  }

  /** The arrival time (nanos) of each RECEIPT, which must come in the order of the SENDs. */
  @Test
  void a_rate_pause_longer_than_the_heart_beat_window_does_not_time_the_client_out() throws Exception {
    try (TestGateway gw = StompGateways.start("gateway.stomp.listeners.tcp.default.bytes_rate = \"1KB/s\"",
            "gateway.stomp.heartbeat.receive = 500ms");
        RawStompClient c = new RawStompClient(StompGateways.tcp(gw))) {
      assertThat(c.connect("heart-beat", "500,0").command()).isEqualTo(Command.CONNECTED);
      Thread beats = new Thread(() -> { // the client heart-beats from CONNECTED on, every 100 ms
        while (!Thread.currentThread().isInterrupted()) {
          try {
            c.write("\n");
            Thread.sleep(100); // the client's heart-beat period, not synchronisation
          } catch (InterruptedException | RuntimeException e) {
            return;
          }
        }
      });
      beats.start();
      try {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes("SEND\ndestination:rates/hb\nreceipt:big\n\n".getBytes(StandardCharsets.UTF_8));
        all.writeBytes("a".repeat(4000).getBytes(StandardCharsets.UTF_8)); // 4 KB at 1KB/s: one read pause of ~3 s, three heart-beat windows (1 s)
        all.write(0);
        all.writeBytes("SEND\ndestination:rates/hb\nreceipt:small\n\nx\0".getBytes(StandardCharsets.UTF_8));
        c.write(all.toByteArray());
        receipts(c, 2); // an ERROR "heart-beat timeout" fails here
      } finally {
        beats.interrupt();
      }
      assertThat(gw.metrics().counter("stomp.heartbeat.timeouts").count()).isZero();
      assertThat(gw.metrics().counter("stomp.reads.paused", "reason", "bytes_rate").count()).isPositive();
    }
  }

  private static long[] receipts(RawStompClient c, int count) {
    long[] at = new long[count];
    for (int i = 0; i < count; i++) {
      StompFrame r = c.next();
      assertThat(r).as("receipt %d (null: the server closed)", i).isNotNull();
      assertThat(r.command()).as("frame %d: %s", i, r.header("message")).isEqualTo(Command.RECEIPT);
      at[i] = System.nanoTime();
    }
    return at;
  }

  private static RawStompClient subscriber(TestGateway gw, String destination) {
    RawStompClient s = new RawStompClient(StompGateways.tcp(gw));
    assertThat(s.connect().command()).isEqualTo(Command.CONNECTED);
    s.write("SUBSCRIBE\nid:0\ndestination:" + destination + "\nreceipt:s\n\n\0");
    assertThat(s.next().header("receipt-id")).isEqualTo("s");
    return s;
  }
}
