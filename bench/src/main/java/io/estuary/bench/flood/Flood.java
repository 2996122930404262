package io.estuary.bench.flood;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The flood: {@code threads} threads, each with {@code pool} open UDP sockets, send random MQTT-SN CONNECTs,
 * garbage and CoAP requests as fast as they can. Every socket is bound to its own loopback source address
 * (127.1.0.1 onwards: Linux routes all of 127.0.0.0/8 to lo without configuration), taken round-robin from
 * {@code addresses} of them; after {@code perSocket} datagrams a socket is closed and replaced by one on the
 * next address, so the open descriptors stay at threads × pool while the gateway sees thousands of sources
 * (and a fresh port each time). Nothing is read: the answers go to sockets that are closed soon after.
 */
final class Flood implements AutoCloseable {
  /**
   * Weights of the kinds, in percent of picks: {@code promote} is a blind spoofer's pair, a CONNECT (clean 0, the
   * longest keepalive) and at once a PINGREQ from the same address, which promotes the half-open session without
   * ever seeing the CONNACK.
   */
  record Mix(int connect, int garbage, int coap, int promote) {
    Mix(int connect, int garbage, int coap) {
      this(connect, garbage, coap, 0);
    }

    static Mix parse(String s) {
      int c = 0;
      int g = 0;
      int p = 0;
      int b = 0;
      for (String part : s.split(",")) {
        String[] kv = part.trim().split("=");
        int v = Integer.parseInt(kv[1].trim());
        switch (kv[0].trim()) {
          case "connect" -> c = v;
          case "garbage" -> g = v;
          case "coap" -> p = v;
          case "promote" -> b = v;
          default -> throw new IllegalArgumentException("mix: connect=N,garbage=N,coap=N,promote=N, not " + s);
        }
      }
      if (c + g + p + b <= 0) {
        throw new IllegalArgumentException("mix: all weights are 0");
      }
      return new Mix(c, g, p, b);
    }
  }

  private final InetSocketAddress mqttsn;
  private final InetSocketAddress coap;
  private final Mix mix;
  private final int addresses;
  private final int pool;
  private final int perSocket;
  private final int keepAlive;
  private final double encapsulated;
  private final AtomicLong nextAddress = new AtomicLong();
  final LongAdder connects = new LongAdder();
  final LongAdder garbage = new LongAdder();
  final LongAdder coapRequests = new LongAdder();
  /** PINGREQs sent right after a CONNECT ({@link Mix#promote}; that CONNECT counts in {@link #connects}). */
  final LongAdder promotes = new LongAdder();
  final LongAdder bytes = new LongAdder();
  final LongAdder unsent = new LongAdder();
  final LongAdder socketsOpened = new LongAdder();
  final LongAdder bindFailures = new LongAdder();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;
  private volatile long startedAt;
  private volatile long stoppedAt;

  Flood(InetSocketAddress mqttsn, InetSocketAddress coap, Mix mix, int addresses, int pool, int perSocket,
      int keepAlive, double encapsulated) {
    this.mqttsn = mqttsn;
    this.coap = coap;
    this.mix = coap == null ? new Mix(mix.connect(), mix.garbage(), 0, mix.promote()) : mix;
    this.addresses = addresses;
    this.pool = pool;
    this.perSocket = perSocket;
    this.keepAlive = keepAlive;
    this.encapsulated = encapsulated;
  }

  /** The n-th flood source address: 127.1.0.1, 127.1.0.2, ... (host octet 1..254, then the next /24). */
  static InetAddress address(long n) {
    long i = Math.floorMod(n, 254L * 256 * 254);
    int host = (int) (i % 254) + 1;
    int third = (int) (i / 254 % 256);
    int second = (int) (i / (254 * 256)) + 1;
    try {
      return InetAddress.getByAddress(new byte[] {127, (byte) second, (byte) third, (byte) host});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  void start(int threadCount, long seed) {
    start(threadCount, seed, 0);
  }

  /** {@code rate} > 0: picks per second over all threads (a paced flood, e.g. a spoofer that stays served); else as fast as possible. */
  void start(int threadCount, long seed, double rate) {
    startedAt = System.nanoTime();
    long gapNanos = rate > 0 ? (long) (1e9 * threadCount / rate) : 0;
    for (int t = 0; t < threadCount; t++) {
      SplittableRandom r = new SplittableRandom(seed + t);
      Thread th = new Thread(() -> run(r, gapNanos), "flood-" + t);
      th.setDaemon(true);
      threads.add(th);
      th.start();
    }
  }

  long datagrams() {
    return connects.sum() + garbage.sum() + coapRequests.sum() + promotes.sum();
  }

  /** Datagrams per second from start to stop (or to now while running). */
  double rate() {
    long end = stoppedAt != 0 ? stoppedAt : System.nanoTime();
    return startedAt == 0 ? 0 : datagrams() * 1e9 / Math.max(1, end - startedAt);
  }

  private DatagramChannel open() {
    for (int attempt = 0; attempt < 3; attempt++) {
      InetAddress a = address(nextAddress.getAndIncrement() % addresses);
      try {
        DatagramChannel ch = DatagramChannel.open();
        try {
          ch.configureBlocking(false);
          ch.bind(new InetSocketAddress(a, 0));
          socketsOpened.increment();
          return ch;
        } catch (IOException e) {
          ch.close();
          throw e;
        }
      } catch (IOException e) {
        bindFailures.increment();
      }
    }
    return null;
  }

  private void run(SplittableRandom r, long gapNanos) {
    DatagramChannel[] socks = new DatagramChannel[pool];
    int[] used = new int[pool];
    int total = mix.connect() + mix.garbage() + mix.coap() + mix.promote();
    int i = 0;
    long next = System.nanoTime();
    try {
      while (running) {
        if (gapNanos > 0) {
          next = Math.max(next + gapNanos, System.nanoTime() - gapNanos); // no burst to catch up after a stall
          long wait = next - System.nanoTime();
          if (wait > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait);
          }
        }
        i = (i + 1) % pool;
        if (socks[i] == null || used[i] >= perSocket) {
          close(socks[i]);
          socks[i] = open();
          used[i] = 0;
          if (socks[i] == null) {
            continue;
          }
        }
        int pick = r.nextInt(total);
        byte[] d;
        InetSocketAddress to;
        LongAdder counter;
        if (pick < mix.connect()) {
          d = FloodFrames.randomConnect(r, keepAlive, encapsulated);
          to = mqttsn;
          counter = connects;
        } else if (pick < mix.connect() + mix.garbage()) {
          d = FloodFrames.randomGarbage(r);
          to = mqttsn;
          counter = garbage;
        } else if (pick < mix.connect() + mix.garbage() + mix.coap()) {
          d = FloodFrames.randomCoap(r);
          to = coap;
          counter = coapRequests;
        } else {
          // the CONNECT; the PINGREQ below follows it from the same address and port at once
          byte[] c = FloodFrames.connect("fp-" + Long.toString(r.nextLong() & Long.MAX_VALUE, 36), false, 65535);
          if (!send(socks, used, i, c, mqttsn, connects)) {
            continue;
          }
          d = FloodFrames.pingreq();
          to = mqttsn;
          counter = promotes;
        }
        send(socks, used, i, d, to, counter);
      }
    } finally {
      for (DatagramChannel ch : socks) {
        close(ch);
      }
    }
  }

  /** Sends one datagram from socket {@code i}; whether it went (a failed socket is replaced next time). */
  private boolean send(DatagramChannel[] socks, int[] used, int i, byte[] d, InetSocketAddress to, LongAdder counter) {
    used[i]++;
    try {
      if (socks[i].send(ByteBuffer.wrap(d), to) > 0) {
        counter.increment();
        bytes.add(d.length);
        return true;
      }
      unsent.increment();
    } catch (IOException e) {
      unsent.increment(); // e.g. ECONNREFUSED from an earlier ICMP: replace the socket
      used[i] = perSocket;
    }
    return false;
  }

  private static void close(DatagramChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // a closing UDP socket has nothing to lose
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (stoppedAt == 0) {
      stoppedAt = System.nanoTime();
    }
    running = false;
    for (Thread t : threads) {
      t.join(5_000);
    }
  }
}
