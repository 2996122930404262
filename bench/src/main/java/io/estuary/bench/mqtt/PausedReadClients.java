package io.estuary.bench.mqtt;

import io.estuary.testkit.NonReadingClient;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The load of {@code bench/paused-read-heap.sh}: {@code n} MQTT 3.1.1 connections (keepalive 0) that each send
 * requests without reading a byte — {@code pingreq} (2 bytes each) or {@code publish} (QoS 1 to topic {@code t}, a
 * 4-byte payload: 11 bytes each, each answered by a PUBACK) — until the gateway has stopped reading from them (their
 * writes refused for a whole second), then hold them open until killed. Prints one line per connection, then
 * {@code PAUSED n bytes}. Arguments: host port n [pingreq|publish].
 */
public final class PausedReadClients {
  private PausedReadClients() {
  }

  public static void main(String[] args) throws Exception {
    InetSocketAddress gateway = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
    int n = Integer.parseInt(args[2]);
    boolean publish = args.length > 3 && args[3].equals("publish");
    byte[] chunk = new byte[publish ? 11 * 744 : 8192];
    for (int i = 0, id = 1; i < chunk.length; id++) {
      if (publish) { // PUBLISH QoS 1, topic "t", packet id, payload "ping"
        byte[] p = {0x32, 9, 0, 1, 't', (byte) (id >> 8), (byte) id, 'p', 'i', 'n', 'g'};
        System.arraycopy(p, 0, chunk, i, p.length);
        i += p.length;
      } else {
        chunk[i] = (byte) 0xC0; // PINGREQ, remaining length 0
        i += 2;
      }
    }
    List<NonReadingClient> clients = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<Long>> floods = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      NonReadingClient c = NonReadingClient.connect(gateway);
      clients.add(c);
      c.writeFully(connect("paused-" + i));
      floods.add(pool.submit(() -> c.floodUntilNotRead(chunk, () -> 1, 256L << 20)));
    }
    long total = 0;
    for (int i = 0; i < n; i++) {
      long taken = floods.get(i).get();
      total += taken;
      System.out.printf("connection %d: the gateway stopped reading after %,d request bytes%n", i, taken);
    }
    pool.shutdown();
    System.out.printf("PAUSED %d %d%n", n, total);
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE); // held open until the script kills this process
  }

  /** MQTT 3.1.1 CONNECT, clean session, keepalive 0. */
  private static byte[] connect(String clientId) {
    byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
    byte[] p = new byte[14 + id.length];
    byte[] head = {0x10, (byte) (12 + id.length), 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 0, 0, (byte) id.length};
    System.arraycopy(head, 0, p, 0, head.length);
    System.arraycopy(id, 0, p, head.length, id.length);
    return p;
  }
}
