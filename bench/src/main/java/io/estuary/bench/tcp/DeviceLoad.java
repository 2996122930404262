package io.estuary.bench.tcp;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * {@code clients} devices (one blocking socket each) on {@code threads} threads, each thread sending one frame per
 * device in turn. Both paths write the same way — one frame per device per turn, one write call each — and all
 * threads together keep at most {@code window} messages between "sent" and "arrived at the subscriber".
 */
final class DeviceLoad implements AutoCloseable {
  /** Which protocol the devices speak. */
  enum Kind { TCP, MQTT }

  private final Kind kind;
  private final int window;
  private final int size;
  private final LongSupplier arrived;
  private final AtomicLong sent = new AtomicLong();
  private final List<Socket> sockets = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  DeviceLoad(Kind kind, InetSocketAddress gateway, int clients, int threadCount, int window, int size, LongSupplier arrived)
      throws Exception {
    this.kind = kind;
    this.window = window;
    this.size = Math.max(8, size);
    this.arrived = arrived;
    CountDownLatch ready = new CountDownLatch(threadCount);
    List<List<Device>> groups = new ArrayList<>();
    for (int t = 0; t < threadCount; t++) {
      groups.add(new ArrayList<>());
    }
    for (int i = 0; i < clients; i++) {
      groups.get(i % threadCount).add(connect(gateway, i));
    }
    for (int t = 0; t < threadCount; t++) {
      List<Device> mine = groups.get(t);
      Thread th = new Thread(() -> run(mine, ready), "tcp-bench-" + kind.name().toLowerCase() + "-" + t);
      th.setDaemon(true);
      threads.add(th);
      th.start();
    }
    if (!ready.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("load threads did not start within 60 s");
    }
  }

  private record Device(OutputStream out, byte[] frame) {}

  private Device connect(InetSocketAddress gateway, int i) throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.connect(gateway, 5_000);
    s.setSoTimeout(10_000);
    sockets.add(s);
    OutputStream out = s.getOutputStream();
    DataInputStream in = new DataInputStream(s.getInputStream());
    String id = (kind == Kind.TCP ? "dev-" : "mq-") + i;
    byte[] header;
    if (kind == Kind.TCP) {
      out.write(Wire.emqxConnect(id));
      in.readFully(new byte[Wire.EMQX_CONNACK_LENGTH]);
      header = Wire.emqxDataHeader(size);
    } else {
      out.write(Wire.mqttConnect(id));
      in.readFully(new byte[4]);
      header = Wire.mqttPublishHeader("mq/" + id + "/up", size);
    }
    byte[] frame = new byte[header.length + size];
    System.arraycopy(header, 0, frame, 0, header.length);
    return new Device(out, frame);
  }

  long sent() {
    return sent.get();
  }

  private void run(List<Device> devices, CountDownLatch ready) {
    ready.countDown();
    try {
      while (running) {
        for (Device d : devices) {
          while (running && sent.get() - arrived.getAsLong() >= window) {
            LockSupport.parkNanos(20_000);
          }
          if (!running) {
            return;
          }
          ByteBuffer.wrap(d.frame(), d.frame().length - size, 8).putLong(System.nanoTime());
          d.out().write(d.frame());
          sent.incrementAndGet();
        }
      }
    } catch (IOException e) {
      if (running) {
        System.err.println("tcp-bench: " + kind + " load stopped: " + e);
      }
    }
  }

  @Override
  public void close() {
    running = false;
    for (Thread t : threads) {
      try {
        t.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
