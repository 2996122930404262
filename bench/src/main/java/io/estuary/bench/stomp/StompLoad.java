package io.estuary.bench.stomp;

import java.io.IOException;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * STOMP load against any STOMP broker: one publisher SENDs {@code --messages} sequence-numbered messages to
 * {@code --dest} while at most {@code --window} ahead of its subscriber, which is either a STOMP subscriber
 * with {@code ack:client-individual} (one ACK per MESSAGE, {@code prefetch-count} for RabbitMQ; Estuary's
 * prefetch is its {@code max_unacked}) or an MQTT 3.1.1 QoS 1 subscriber of {@code --topic}. Prints one
 * RESULT line per round: msgs/s from the first SEND to the last distinct message received, and what was lost
 * or duplicated.
 *
 * <pre>
 * java -cp CLASSES io.estuary.bench.stomp.StompLoad --label estuary --stomp-port 61613 --mode stomp \
 *     --dest bench/s --messages 100000 --rounds 3
 * </pre>
 */
public final class StompLoad {
  private final Map<String, String> opts;

  private StompLoad(Map<String, String> opts) {
    this.opts = opts;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new HashMap<>(Map.of("host", "127.0.0.1", "mode", "stomp", "messages", "100000",
        "warmup", "20000", "size", "64", "window", "1000", "prefetch", "32", "rounds", "3", "label", "broker",
        "drain", "30"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    new StompLoad(o).run();
  }

  private String opt(String k) {
    String v = opts.get(k);
    if (v == null) {
      throw new IllegalArgumentException("--" + k + " is required");
    }
    return v;
  }

  private int num(String k) {
    return Integer.parseInt(opt(k));
  }

  private void run() throws Exception {
    round("warmup", num("warmup"));
    for (int r = 1; r <= num("rounds"); r++) {
      round(Integer.toString(r), num("messages"));
    }
  }

  private void round(String name, int n) throws Exception {
    BitSet seen = new BitSet(n);
    AtomicLong received = new AtomicLong();
    AtomicLong duplicates = new AtomicLong();
    AtomicLong lastReceiveNanos = new AtomicLong();
    long deadlineAfterSend = num("drain") * 1_000_000_000L;
    AtomicLong sendDone = new AtomicLong(Long.MAX_VALUE);
    String host = opt("host");
    String mode = opt("mode");
    java.util.function.LongConsumer onMessage = seq -> {
      if (seq >= 0 && seq < n && !seen.get((int) seq)) {
        seen.set((int) seq);
        received.incrementAndGet();
        lastReceiveNanos.set(System.nanoTime());
      } else {
        duplicates.incrementAndGet();
      }
    };
    java.util.function.BooleanSupplier stop = () -> received.get() >= n
        || System.nanoTime() - sendDone.get() > deadlineAfterSend;
    Thread subscriber;
    AutoCloseable subConn;
    java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
    if (mode.equals("stomp")) {
      Wire w = new Wire(host, num("stomp-port"));
      subConn = w;
      w.connect(host);
      w.write("SUBSCRIBE", null, "id", "0", "destination", opt("dest"), "ack", "client-individual",
          "prefetch-count", opt("prefetch"), "receipt", "sub");
      w.flush();
      Wire.Frame r = w.read();
      if (r == null || !r.command().equals("RECEIPT")) {
        throw new IOException("SUBSCRIBE not confirmed: " + r);
      }
      subscriber = new Thread(() -> {
        ready.countDown();
        try {
          while (!stop.getAsBoolean()) {
            Wire.Frame f = w.read();
            if (f == null) {
              return;
            }
            if (f.command().equals("MESSAGE")) {
              onMessage.accept(Payloads.seq(f.body(), 0));
              w.write("ACK", null, "id", f.headers().get("ack")); // flushed by read() before it would block
            } else if (f.command().equals("ERROR")) {
              System.err.println("subscriber ERROR " + f.headers());
              return;
            }
          }
        } catch (IOException e) {
          if (!stop.getAsBoolean()) {
            System.err.println("subscriber: " + e);
          }
        }
      }, "stomp-sub");
    } else {
      MqttSubscriber m = new MqttSubscriber(host, num("mqtt-port"), "bench-sub-" + name + "-" + System.nanoTime(),
          opt("topic"));
      subConn = m;
      subscriber = new Thread(() -> {
        ready.countDown();
        try {
          m.run(onMessage, stop);
        } catch (IOException e) {
          if (!stop.getAsBoolean()) {
            System.err.println("mqtt subscriber: " + e);
          }
        }
      }, "mqtt-sub");
    }
    subscriber.start();
    ready.await();
    int window = num("window");
    int size = num("size");
    long start;
    try (Wire pub = new Wire(host, num("stomp-port"))) {
      pub.connect(host);
      start = System.nanoTime();
      for (int seq = 0; seq < n; seq++) {
        if (seq - received.get() >= window) {
          pub.flush();
          long waitStart = System.nanoTime();
          while (seq - received.get() >= window) {
            if (System.nanoTime() - waitStart > deadlineAfterSend) {
              throw new IOException("subscriber stalled at " + received.get() + " of " + seq + " sent");
            }
            LockSupport.parkNanos(20_000);
          }
        }
        pub.write("SEND", Payloads.of(seq, size), "destination", opt("dest"));
      }
      pub.write("DISCONNECT", null, "receipt", "bye");
      pub.flush();
      sendDone.set(System.nanoTime());
      pub.read(); // RECEIPT: the broker has everything
    }
    subscriber.join();
    subConn.close();
    long got = received.get();
    double seconds = (lastReceiveNanos.get() - start) / 1e9;
    System.out.printf(Locale.ROOT, "RESULT label=%s mode=%s round=%s sent=%d received=%d lost=%d duplicates=%d "
            + "seconds=%.3f rate=%.0f%n", opt("label"), mode, name, n, got, n - got, duplicates.get(), seconds,
        got / Math.max(seconds, 1e-9));
  }
}
