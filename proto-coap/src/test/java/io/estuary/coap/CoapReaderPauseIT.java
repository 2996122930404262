package io.estuary.coap;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.coap.support.CoapGateway;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A flood from many source addresses past a small {@code max_datagram_rate}: the receiver thread pauses instead of
 * reading and shedding, so the gateway reads about the rate and the kernel drops the rest at the socket, while a good
 * client's confirmable request still gets its answer once a retransmission finds room.
 */
class CoapReaderPauseIT {
  private static final int RATE = 200;
  private static final long FLOOD_NANOS = TimeUnit.MILLISECONDS.toNanos(2500);
  private static final int SOURCES = 64;

  @Test
  @Timeout(120)
  void a_flood_past_max_datagram_rate_is_left_to_the_kernel_while_a_good_clients_con_request_is_answered()
      throws Exception {
    try (CoapGateway h = CoapGateway.start("listeners.udp.default.max_datagram_rate = \"" + RATE + "/s\"",
        "listeners.udp.default.unknown_datagram_rate = infinity",
        "listeners.udp.default.source_datagram_rate = infinity")) {
      long kernelDropsBefore = socketDrops(h.address.getPort());
      double readBefore = reads(h);
      CoapClient good = h.client("/ps/good?clientid=good");
      good.setTimeout(90_000L);
      AtomicInteger retransmissions = new AtomicInteger();
      CompletableFuture<CoapResponse> answer = new CompletableFuture<>();

      List<DatagramChannel> flood = new ArrayList<>();
      long sent = 0;
      long start = System.nanoTime();
      double readAtStop;
      double elapsed;
      try {
        for (int i = 1; i <= SOURCES; i++) {
          DatagramChannel ch = DatagramChannel.open();
          ch.bind(new InetSocketAddress(InetAddress.getByName("127.0.3." + i), 0));
          ch.configureBlocking(false);
          flood.add(ch);
        }
        ByteBuffer ack = ByteBuffer.allocate(4);
        boolean goodSent = false;
        for (int n = 0; System.nanoTime() - start < FLOOD_NANOS; n++) {
          if (!goodSent && System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(300)) {
            goodSent = true;
            sendGood(good, retransmissions, answer);
          }
          // an empty ACK with a message id nobody waits for: cheap for Californium, costly only if read
          ack.clear();
          ack.put((byte) 0x60).put((byte) 0).putShort((short) n).flip();
          if (flood.get(n % SOURCES).send(ack, h.address) > 0) {
            sent++;
          }
        }
        readAtStop = reads(h) - readBefore;
        elapsed = (System.nanoTime() - start) / 1e9;
      } finally {
        for (DatagramChannel ch : flood) {
          ch.close();
        }
      }
      long kernelDrops = socketDrops(h.address.getPort()) - kernelDropsBefore;

      CoapResponse response = answer.get(90, TimeUnit.SECONDS);
      assertThat(response).as("the good client's CON request is answered (retransmissions: %s)", retransmissions)
          .isNotNull();
      assertThat(response.getCode()).isEqualTo(ResponseCode.CHANGED);

      assertThat(sent).as("the flood outran the rate").isGreaterThan(20L * RATE);
      assertThat(readAtStop).as("datagrams the gateway read in %.2f s of a flood of %s", elapsed, sent)
          .isLessThanOrEqualTo(RATE + RATE * elapsed + 50);
      assertThat(kernelDrops).as("drops at the gateway's socket while it read %s of %s", readAtStop, sent)
          .isGreaterThan(sent / 2);
      assertThat(h.count("coap.listener_paused")).isGreaterThan(0.0);
      assertThat(h.count("coap.datagrams.shed", "reason", "max_datagram_rate")).isEqualTo(0.0);
    }
  }

  private static void sendGood(CoapClient good, AtomicInteger retransmissions,
      CompletableFuture<CoapResponse> answer) {
    Request r = Request.newPost();
    r.setType(Type.CON);
    r.setPayload("hello");
    r.addMessageObserver(new MessageObserverAdapter() {
      @Override
      public void onRetransmission() {
        retransmissions.incrementAndGet();
      }
    });
    good.advanced(new CoapHandler() {
      @Override
      public void onLoad(CoapResponse response) {
        answer.complete(response);
      }

      @Override
      public void onError() {
        answer.completeExceptionally(new AssertionError("the good client gave up after "
            + retransmissions + " retransmissions"));
      }
    }, r);
  }

  /** Datagrams the listener read: handed on, shed by its budget or dropped over a source's rate. */
  private static double reads(CoapGateway h) {
    return h.count("coap.datagrams.admitted") + h.count("coap.datagrams.shed", "reason", "max_datagram_rate")
        + h.count("coap.datagrams.shed", "reason", "max_backlog") + h.count("coap.datagrams.dropped");
  }

  /** The kernel's drop counter of the UDP socket bound to {@code port} (the last column of /proc/net/udp). */
  private static long socketDrops(int port) throws IOException {
    String local = String.format(":%04X", port);
    long drops = 0;
    for (String file : List.of("/proc/net/udp", "/proc/net/udp6")) {
      Path p = Path.of(file);
      if (!Files.exists(p)) {
        continue;
      }
      for (String line : Files.readAllLines(p)) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 12 && f[1].endsWith(local)) {
          drops += Long.parseLong(f[f.length - 1]);
        }
      }
    }
    return drops;
  }
}
