package io.estuary.bench.mqttsn;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Many idle MQTT-SN clients from few sockets. The gateway keys a client by its address between CONNECT
 * and DISCONNECT (frames after CONNECT carry no client id), so one (socket, gateway listener) pair is one
 * client: {@code sockets × listeners} clients, client {@code s * listeners + l} talking from socket
 * {@code s} to listener {@code l} with client id {@code idle-<s>-<l>}. The main thread drives it: at most
 * {@code window} requests outstanding, missing answers re-sent after a second.
 */
final class IdleFleet implements AutoCloseable {
  private final List<InetSocketAddress> listeners;
  private final List<DatagramChannel> sockets = new ArrayList<>();
  private final Selector selector;
  private final int window;

  IdleFleet(List<InetSocketAddress> listeners, int socketCount, int window) throws IOException {
    this.listeners = List.copyOf(listeners);
    this.window = window;
    selector = Selector.open();
    for (int s = 0; s < socketCount; s++) {
      DatagramChannel ch = DatagramChannel.open();
      ch.bind(new InetSocketAddress("127.0.0.1", 0));
      ch.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 16 * 1024);
      ch.configureBlocking(false);
      ch.register(selector, SelectionKey.OP_READ, s);
      sockets.add(ch);
    }
  }

  int size() {
    return sockets.size() * listeners.size();
  }

  /** CONNECT every client (keepalive {@code keepAlive} s); returns when all have a CONNACK 0x00. */
  void connectAll(int keepAlive) throws IOException {
    exchange(i -> SnFrames.connect(clientId(i), keepAlive), SnFrames.CONNACK);
  }

  /** DISCONNECT with {@code seconds} of sleep for every client; returns when all are acknowledged. */
  void sleepAll(int seconds) throws IOException {
    ByteBuffer sleep = SnFrames.sleep(seconds);
    exchange(i -> sleep.duplicate(), SnFrames.DISCONNECT);
  }

  private String clientId(int i) {
    return "idle-" + (i / listeners.size()) + "-" + (i % listeners.size());
  }

  private void exchange(IntFunction<ByteBuffer> request, int answer) throws IOException {
    int total = size();
    BitSet done = new BitSet(total);
    long[] sentAt = new long[total];
    int next = 0;
    int outstanding = 0;
    int finished = 0;
    ByteBuffer in = ByteBuffer.allocate(512);
    long lastProgress = System.nanoTime();
    long reportAt = lastProgress + TimeUnit.SECONDS.toNanos(10);
    while (finished < total) {
      if (System.nanoTime() > reportAt) {
        System.out.printf("mqttsn-bench: %,d of %,d answered%n", finished, total);
        reportAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      }
      while (outstanding < window && next < total) {
        send(next, request.apply(next));
        sentAt[next] = System.nanoTime();
        next++;
        outstanding++;
      }
      selector.select(5);
      for (SelectionKey k : selector.selectedKeys()) {
        int s = (Integer) k.attachment();
        DatagramChannel ch = (DatagramChannel) k.channel();
        while (true) {
          in.clear();
          InetSocketAddress from = (InetSocketAddress) ch.receive(in);
          if (from == null) {
            break;
          }
          int l = listeners.indexOf(from);
          int i = s * listeners.size() + l;
          if (l >= 0 && in.position() >= 2 && (in.get(1) & 0xFF) == answer && !done.get(i)) {
            if (answer == SnFrames.CONNACK && in.get(2) != 0) {
              throw new IllegalStateException(clientId(i) + ": CONNACK " + in.get(2));
            }
            done.set(i);
            finished++;
            outstanding--;
            lastProgress = System.nanoTime();
          }
        }
      }
      selector.selectedKeys().clear();
      long now = System.nanoTime();
      if (now - lastProgress > TimeUnit.SECONDS.toNanos(1)) { // datagrams were dropped: ask again
        for (int i = done.nextClearBit(0); i < next; i = done.nextClearBit(i + 1)) {
          if (now - sentAt[i] > TimeUnit.SECONDS.toNanos(1)) {
            send(i, request.apply(i));
            sentAt[i] = now;
          }
        }
        lastProgress = now;
      }
    }
  }

  private void send(int i, ByteBuffer b) throws IOException {
    sockets.get(i / listeners.size()).send(b, listeners.get(i % listeners.size()));
  }

  @Override
  public void close() throws IOException {
    for (DatagramChannel ch : sockets) {
      ch.close();
    }
    selector.close();
  }
}
