package io.estuary.bench.lwm2m;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * N LwM2M devices, one UDP socket on 127.0.0.1 each, served by one selector thread: registers on
 * request (counting 2.01 answers) and answers every server CON request with 2.05 "Estuary".
 */
final class RawDevices implements AutoCloseable {
  private final InetSocketAddress server;
  private final Selector selector;
  private final List<DatagramChannel> channels = new ArrayList<>();
  private final ConcurrentLinkedQueue<Integer> toRegister = new ConcurrentLinkedQueue<>();
  private final Thread loop;
  private final String prefix;
  final AtomicInteger registered = new AtomicInteger();
  private final boolean[] done;
  final AtomicInteger requestsAnswered = new AtomicInteger();
  private volatile boolean running = true;

  RawDevices(InetSocketAddress server, int n, String prefix) throws IOException {
    this.server = server;
    this.prefix = prefix;
    this.selector = Selector.open();
    this.done = new boolean[n];
    for (int i = 0; i < n; i++) {
      DatagramChannel ch = DatagramChannel.open();
      ch.bind(new InetSocketAddress("127.0.0.1", 0));
      ch.configureBlocking(false);
      ch.register(selector, SelectionKey.OP_READ, i);
      channels.add(ch);
    }
    loop = new Thread(this::run, "lwm2m-bench-devices");
    loop.setDaemon(true);
    loop.start();
  }

  String endpoint(int i) {
    return prefix + i;
  }

  /** Asks device {@code i} to send its register request (from the selector thread). */
  void register(int i) {
    toRegister.add(i);
    selector.wakeup();
  }

  /** Devices whose register was not answered yet (read on the caller's thread: a snapshot, may be stale). */
  List<Integer> unregistered() {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < done.length; i++) {
      if (!done[i]) {
        out.add(i);
      }
    }
    return out;
  }

  private void run() {
    ByteBuffer in = ByteBuffer.allocate(2048);
    try {
      while (running) {
        selector.select(100);
        Integer i;
        while ((i = toRegister.poll()) != null) {
          byte[] token = {(byte) (i >> 24), (byte) (i >> 16), (byte) (i >> 8), (byte) (int) i};
          channels.get(i).send(ByteBuffer.wrap(CoapWire.register(i & 0xFFFF, token, endpoint(i), 3600)), server);
        }
        for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
          SelectionKey k = it.next();
          it.remove();
          DatagramChannel ch = (DatagramChannel) k.channel();
          in.clear();
          while (ch.receive(in) != null) {
            in.flip();
            byte[] b = new byte[in.remaining()];
            in.get(b);
            in.clear();
            CoapWire.Header h = CoapWire.parse(b, b.length);
            if (h == null) {
              continue;
            }
            if (h.type() == CoapWire.ACK && h.code() == CoapWire.CREATED && h.token().length == 4) {
              int d = ((h.token()[0] & 0xFF) << 24) | ((h.token()[1] & 0xFF) << 16) | ((h.token()[2] & 0xFF) << 8)
                  | (h.token()[3] & 0xFF);
              if (d >= 0 && d < done.length && !done[d]) {
                done[d] = true;
                registered.incrementAndGet();
              }
            } else if (h.type() == CoapWire.CON && h.code() >= 1 && h.code() <= 4) {
              ch.send(ByteBuffer.wrap(CoapWire.content(h.mid(), h.token(), "Estuary")), server);
              requestsAnswered.incrementAndGet();
            }
          }
        }
      }
    } catch (IOException e) {
      if (running) {
        System.err.println("device loop failed: " + e);
      }
    }
  }

  @Override
  public void close() throws IOException {
    running = false;
    selector.wakeup();
    try {
      loop.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (DatagramChannel ch : channels) {
      ch.close();
    }
    selector.close();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
