package io.estuary.bench.mqttsn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * {@code clients} MQTT-SN clients (one UDP socket each) on {@code threads} threads, each client connected
 * and holding a registered topic id for {@code bench/<n>}. QoS 0: all threads together keep at most
 * {@code window} messages between "sent" and "arrived at the MQTT subscriber" (UDP has no back-pressure;
 * without a bound the socket buffers overflow and the run measures drops, and a QoS 1 PUBACK only says
 * the broker routed the message). QoS 1 also: each client keeps at most {@code clientWindow} PUBLISHes
 * awaiting PUBACK. A window that stops moving for a second is written off as lost.
 */
final class PublishLoad implements AutoCloseable {
  private final int qos;
  private final int window;
  private final int clientWindow;
  private final byte[] payload;
  private final LongSupplier arrived;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong lost = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  PublishLoad(InetSocketAddress gateway, int clients, int threadCount, int qos, int window, int clientWindow,
      int size, LongSupplier arrived) throws InterruptedException {
    this.qos = qos;
    this.window = window;
    this.clientWindow = clientWindow;
    this.payload = new byte[Math.max(8, size)];
    this.arrived = arrived;
    CountDownLatch ready = new CountDownLatch(threadCount);
    for (int t = 0; t < threadCount; t++) {
      int from = clients * t / threadCount;
      int to = clients * (t + 1) / threadCount;
      Thread th = new Thread(() -> run(gateway, from, to, ready), "mqttsn-bench-client-" + t);
      th.setDaemon(true);
      threads.add(th);
      th.start();
    }
    if (!ready.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("clients did not connect within 60 s");
    }
  }

  long sent() {
    return sent.get();
  }

  long acked() {
    return acked.get();
  }

  long lost() {
    return lost.get();
  }

  /** Watchdog, called by the main thread every ~100 ms: a window stuck for a second was dropped. */
  private long lastArrived = -1;
  private long stuckSince;

  void watch() {
    long a = arrived.getAsLong();
    long now = System.nanoTime();
    if (a != lastArrived) {
      lastArrived = a;
      stuckSince = now;
    } else if (now - stuckSince > TimeUnit.SECONDS.toNanos(1)) {
      long outstanding = sent.get() - a - lost.get();
      if (outstanding > 0) {
        lost.addAndGet(outstanding);
      }
      stuckSince = now;
    }
  }

  /** One client: its socket, topic id and (QoS 1) what it has in flight. */
  private static final class Client {
    final DatagramChannel ch;
    int topicId;
    int nextMsgId = 1;
    int inflight;
    long progressAt;

    Client(DatagramChannel ch) {
      this.ch = ch;
    }
  }

  private void run(InetSocketAddress gateway, int from, int to, CountDownLatch ready) {
    List<Client> clients = new ArrayList<>();
    try (Selector selector = Selector.open()) {
      for (int i = from; i < to; i++) {
        DatagramChannel ch = DatagramChannel.open();
        ch.bind(new InetSocketAddress("127.0.0.1", 0));
        ch.connect(gateway);
        Client c = new Client(ch);
        handshake(c, "snb-" + i, "bench/" + i);
        ch.configureBlocking(false);
        ch.register(selector, SelectionKey.OP_READ, c);
        clients.add(c);
      }
      ready.countDown();
      ByteBuffer out = ByteBuffer.allocate(payload.length + 16);
      ByteBuffer in = ByteBuffer.allocate(2048);
      byte[] stamp = payload.clone();
      while (running) {
        boolean sentAny = false;
        for (Client c : clients) {
          if (!running) {
            break;
          }
          if (sent.get() - arrived.getAsLong() - lost.get() >= window || (qos > 0 && c.inflight >= clientWindow)) {
            continue;
          }
          ByteBuffer.wrap(stamp).putLong(System.nanoTime());
          int msgId = qos == 0 ? 0 : c.nextMsgId;
          SnFrames.publish(out, qos, c.topicId, msgId, stamp);
          if (c.ch.write(out) > 0) {
            sent.incrementAndGet();
            sentAny = true;
            if (qos > 0) {
              c.nextMsgId = c.nextMsgId == 0xFFFF ? 1 : c.nextMsgId + 1;
              if (c.inflight++ == 0) {
                c.progressAt = System.nanoTime();
              }
            }
          }
        }
        if (qos > 0) {
          readAcks(selector, in, clients);
        } else if (!sentAny) {
          LockSupport.parkNanos(20_000);
        }
      }
      for (Client c : clients) {
        c.ch.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void readAcks(Selector selector, ByteBuffer in, List<Client> clients) throws IOException {
    if (selector.selectNow() == 0) {
      long now = System.nanoTime();
      boolean allFull = true;
      for (Client c : clients) {
        if (c.inflight > 0 && now - c.progressAt > TimeUnit.SECONDS.toNanos(1)) {
          lost.addAndGet(c.inflight); // a PUBLISH or its PUBACK was dropped: write the window off
          c.inflight = 0;
        }
        allFull &= c.inflight >= clientWindow;
      }
      if (allFull) {
        selector.select(1);
      }
    }
    for (SelectionKey k : selector.selectedKeys()) {
      Client c = (Client) k.attachment();
      while (true) {
        in.clear();
        if (c.ch.read(in) <= 0) {
          break;
        }
        in.flip();
        if (in.remaining() >= 2 && SnFrames.type(in) == SnFrames.PUBACK && c.inflight > 0) {
          c.inflight--;
          c.progressAt = System.nanoTime();
          acked.incrementAndGet();
        }
      }
    }
    selector.selectedKeys().clear();
  }

  /** CONNECT → CONNACK, REGISTER → REGACK, blocking with a timeout. */
  private static void handshake(Client c, String clientId, String topic) throws IOException {
    c.ch.socket().setSoTimeout(0);
    ByteBuffer in = ByteBuffer.allocate(256);
    expect(c.ch, SnFrames.connect(clientId, 0), in, SnFrames.CONNACK);
    if (in.get(2) != 0) {
      throw new IllegalStateException(clientId + ": CONNACK " + in.get(2));
    }
    expect(c.ch, SnFrames.register(1, topic), in, SnFrames.REGACK);
    if (in.get(6) != 0) {
      throw new IllegalStateException(clientId + ": REGACK " + in.get(6));
    }
    c.topicId = in.getShort(2) & 0xFFFF;
  }

  private static void expect(DatagramChannel ch, ByteBuffer request, ByteBuffer in, int type) throws IOException {
    for (int attempt = 0; attempt < 5; attempt++) {
      ch.write(request.duplicate());
      ch.configureBlocking(false);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (System.nanoTime() < deadline) {
        in.clear();
        if (ch.read(in) > 0) {
          in.flip();
          if (SnFrames.type(in) == type) {
            ch.configureBlocking(true);
            return;
          }
        } else {
          LockSupport.parkNanos(200_000);
        }
      }
      ch.configureBlocking(true);
    }
    throw new IllegalStateException("no answer of type " + type + " from the gateway");
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join(5_000);
    }
  }
}
