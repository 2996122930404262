package io.estuary.bench.flood;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The well-behaved MQTT-SN clients: each on its own UDP socket from its own loopback address
 * ({@link #addressOf}: 127.0.x.y, apart from the flood's 127.1.x.y, as separate devices would be), connected (clean session,
 * keepalive {@code keepAlive}) with one registered topic {@code <prefix>/<n>}, publishing QoS 1 as a
 * constrained MQTT-SN client does: one PUBLISH in flight, the next only after its PUBACK, a retransmission
 * with DUP after {@code retry} without one, given up after {@code maxRetries} (MQTT-SN 1.2 §6.13: Tretry
 * 10–15 s, Nretry 3–5). Together they are offered {@code rate} messages per second, dealt round-robin; a
 * message waits in its client's queue while an earlier one is in flight. The payload carries the time the
 * message was due (so queueing behind a slow PUBACK counts in the latency), the phase, the client and a
 * sequence number. One thread owns all client state; the phases' counters are read by the main thread.
 */
final class GoodClients implements AutoCloseable {
  static final int PAYLOAD = 16;

  private final int keepAlive;
  private final long retryNanos;
  private final int maxRetries;
  private final double rate;
  private final List<Client> clients = new ArrayList<>();
  private final Selector selector;
  private final Thread thread;
  private final AtomicLong disconnects = new AtomicLong();
  private volatile boolean running = true;
  private volatile Phase phase;
  private volatile long phaseStart;
  private volatile long phaseEnd;
  private volatile long settledAt;

  /** One client: socket, topic id and what it has queued and in flight. */
  private static final class Client {
    final int index;
    final DatagramChannel ch;
    int topicId;
    int nextMsgId = 1;
    final ArrayDeque<long[]> queue = new ArrayDeque<>(); // {phase id, seq, due nanos}
    long[] inflight;
    Phase inflightPhase;
    int inflightMsgId;
    long sentAt;
    int retries;
    long lastSent = System.nanoTime();
    int nextSeq;

    Client(int index, DatagramChannel ch) {
      this.index = index;
      this.ch = ch;
    }
  }

  GoodClients(InetSocketAddress gateway, int count, String topicPrefix, int keepAlive, double rate, long retryNanos,
      int maxRetries) throws IOException {
    this.keepAlive = keepAlive;
    this.rate = rate;
    this.retryNanos = retryNanos;
    this.maxRetries = maxRetries;
    selector = Selector.open();
    for (int i = 0; i < count; i++) {
      DatagramChannel ch = DatagramChannel.open();
      ch.bind(new InetSocketAddress(addressOf(i), 0));
      ch.connect(gateway);
      Client c = new Client(i, ch);
      handshake(c, "good-" + i, topicPrefix + "/" + i);
      ch.configureBlocking(false);
      ch.register(selector, SelectionKey.OP_READ, c);
      clients.add(c);
    }
    thread = new Thread(this::loop, "good-clients");
    thread.setDaemon(true);
    thread.start();
  }

  /** Client {@code i}'s source address: 127.0.0.2, 127.0.0.3, … (250 per /24), never the flood's 127.1.x.y. */
  static String addressOf(int i) {
    return "127.0." + (i / 250) + "." + (2 + i % 250);
  }

  long disconnects() {
    return disconnects.get();
  }

  /** Offers {@code rate} msgs/s for {@code nanos} in {@code p}; {@link #settled} says when all is settled. */
  void start(Phase p, long nanos) {
    phaseStart = System.nanoTime();
    phaseEnd = phaseStart + nanos;
    phase = p;
  }

  /** The phase has ended and every message of it is acknowledged, refused or given up. */
  boolean settled() {
    return settledAt > phaseEnd || !thread.isAlive();
  }

  private void loop() {
    ByteBuffer in = ByteBuffer.allocate(2048);
    long offered = 0;
    Phase current = null;
    try {
      while (running) {
        long now = System.nanoTime();
        Phase p = phase;
        if (p != current) {
          current = p;
          offered = 0;
        }
        if (p != null && now < phaseEnd) {
          // deal every message that is due by now to the next client, round-robin
          while (phaseStart + (long) (offered * 1e9 / rate) <= now) {
            Client c = clients.get((int) (offered % clients.size()));
            c.queue.add(new long[] {p.id, c.nextSeq++, phaseStart + (long) (offered * 1e9 / rate)});
            p.scheduled.incrementAndGet();
            offered++;
          }
        }
        boolean busy = false;
        for (Client c : clients) {
          busy |= step(c, now);
        }
        if (!busy && (p == null || now >= phaseEnd)) {
          settledAt = now;
        }
        long nextDue = p != null && now < phaseEnd ? phaseStart + (long) (offered * 1e9 / rate) : now + 1_000_000;
        long wait = Math.max(0, Math.min(nextDue - System.nanoTime(), 1_000_000));
        if (wait < 1_000_000) {
          LockSupport.parkNanos(wait);
        }
        if ((wait >= 1_000_000 ? selector.select(1) : selector.selectNow()) > 0) {
          for (SelectionKey k : selector.selectedKeys()) {
            read((Client) k.attachment(), in);
          }
          selector.selectedKeys().clear();
        }
      }
    } catch (IOException e) {
      System.err.println("flood-bench: good clients stopped: " + e);
    }
  }

  private Phase phaseOf(long id) {
    Phase p = phase;
    return p != null && p.id == id ? p : null;
  }

  /** Sends what is due for one client; true while it still has work. */
  private boolean step(Client c, long now) throws IOException {
    if (c.inflight != null && now - c.sentAt >= retryNanos) {
      if (c.retries >= maxRetries) {
        c.inflightPhase.abandoned.incrementAndGet();
        c.inflight = null;
      } else {
        c.retries++;
        c.inflightPhase.retransmits.incrementAndGet();
        send(c, true, now);
      }
    }
    if (c.inflight == null && !c.queue.isEmpty()) {
      long[] m = c.queue.poll();
      Phase p = phaseOf(m[0]);
      if (p != null) {
        c.inflight = m;
        c.inflightPhase = p;
        c.inflightMsgId = c.nextMsgId;
        c.nextMsgId = c.nextMsgId == 0xFFFF ? 1 : c.nextMsgId + 1;
        c.retries = 0;
        p.sent.incrementAndGet();
        send(c, false, now);
      }
    }
    if (c.inflight == null && now - c.lastSent > TimeUnit.SECONDS.toNanos(Math.max(1, keepAlive / 3))) {
      c.ch.write(ByteBuffer.wrap(FloodFrames.pingreq()));
      c.lastSent = now;
    }
    return c.inflight != null || !c.queue.isEmpty();
  }

  private void send(Client c, boolean dup, long now) throws IOException {
    ByteBuffer payload = ByteBuffer.allocate(PAYLOAD);
    payload.putLong(c.inflight[2]).put((byte) c.inflight[0]).put((byte) 0).putShort((short) c.index)
        .putInt((int) c.inflight[1]);
    c.ch.write(ByteBuffer.wrap(FloodFrames.publish(dup, 1, c.topicId, c.inflightMsgId, payload.array())));
    c.sentAt = now;
    c.lastSent = now;
  }

  private void read(Client c, ByteBuffer in) {
    while (true) {
      in.clear();
      int n;
      try {
        n = c.ch.read(in);
      } catch (IOException e) {
        return; // ICMP port unreachable: the gateway is gone; the retransmission timer notices
      }
      if (n <= 0) {
        return;
      }
      byte[] b = in.array();
      int type = FloodFrames.type(b, n);
      if (type == FloodFrames.PUBACK && n >= 7 && c.inflight != null) {
        int msgId = (b[4] & 0xFF) << 8 | (b[5] & 0xFF);
        if (msgId == c.inflightMsgId) {
          if (b[6] == 0) {
            c.inflightPhase.acked(c.index, (int) c.inflight[1]);
          } else {
            c.inflightPhase.refused.incrementAndGet();
          }
          c.inflight = null;
        }
      } else if (type == FloodFrames.DISCONNECT) {
        disconnects.incrementAndGet();
      }
    }
  }

  /** CONNECT → CONNACK, REGISTER → REGACK, with retries. */
  private void handshake(Client c, String clientId, String topic) throws IOException {
    ByteBuffer in = ByteBuffer.allocate(256);
    expect(c.ch, FloodFrames.connect(clientId, true, keepAlive), in, FloodFrames.CONNACK);
    if (in.get(2) != 0) {
      throw new IOException(clientId + ": CONNACK return code " + in.get(2));
    }
    expect(c.ch, FloodFrames.register(1, topic), in, FloodFrames.REGACK);
    if (in.get(6) != 0) {
      throw new IOException(clientId + ": REGACK return code " + in.get(6));
    }
    c.topicId = in.getShort(2) & 0xFFFF;
  }

  private static void expect(DatagramChannel ch, byte[] request, ByteBuffer in, int type) throws IOException {
    ch.configureBlocking(false);
    for (int attempt = 0; attempt < 5; attempt++) {
      ch.write(ByteBuffer.wrap(request));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (System.nanoTime() < deadline) {
        in.clear();
        if (ch.read(in) > 0) {
          in.flip();
          if (in.remaining() >= 2 && (in.get(1) & 0xFF) == type) {
            return;
          }
        } else {
          LockSupport.parkNanos(200_000);
        }
      }
    }
    throw new IOException("no answer of type " + type + " from the gateway");
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    selector.wakeup();
    thread.join(5_000);
    for (Client c : clients) {
      try {
        c.ch.write(ByteBuffer.wrap(FloodFrames.disconnect()));
        c.ch.close();
      } catch (IOException ignored) {
        // the gateway may be gone
      }
    }
    try {
      selector.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
