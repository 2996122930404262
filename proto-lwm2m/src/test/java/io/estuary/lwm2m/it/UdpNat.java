package io.estuary.lwm2m.it;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A UDP NAT on 127.0.0.1 between one device and the gateway: the device sends to {@link #address()},
 * the gateway sees the traffic coming from the NAT's outside port. {@link #rebind()} moves it to a new
 * outside port, as a NAT does when its mapping times out. Every datagram is recorded with the outside
 * port it went through, so a test can look at DTLS record types (RFC 6347 §4.1, RFC 9146 §4).
 */
final class UdpNat implements AutoCloseable {
  /** DTLS content types: handshake, application data, tls12_cid (RFC 9146). */
  static final int HANDSHAKE = 22;
  static final int APPLICATION_DATA = 23;
  static final int TLS12_CID = 25;

  /** One datagram, {@code up} from the device to the gateway or down, through {@code outsidePort}. */
  record Datagram(boolean up, int outsidePort, byte[] data) {
    int contentType() {
      return data.length == 0 ? -1 : data[0] & 0xff;
    }

    /** A plaintext (epoch 0) ClientHello starts a handshake: record header 13 bytes, then msg_type 1. */
    boolean clientHello() {
      return contentType() == HANDSHAKE && data.length > 13 && data[3] == 0 && data[4] == 0 && data[13] == 1;
    }
  }

  private final InetSocketAddress server;
  private final DatagramSocket inside;
  private volatile DatagramSocket outside;
  private volatile SocketAddress device;
  final List<Datagram> traffic = new CopyOnWriteArrayList<>();

  UdpNat(InetSocketAddress server) throws IOException {
    this.server = server;
    inside = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    outside = openOutside();
    start("nat-inside", () -> {
      DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
      inside.receive(p);
      device = p.getSocketAddress();
      DatagramSocket out = outside;
      byte[] data = Arrays.copyOf(p.getData(), p.getLength());
      traffic.add(new Datagram(true, out.getLocalPort(), data));
      try {
        out.send(new DatagramPacket(data, data.length, server));
      } catch (IOException e) {
        // the outside socket was just closed by rebind(): lost, as on a real NAT
      }
    }, inside);
  }

  /** Where the device sends. */
  InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), inside.getLocalPort());
  }

  /** The source port the gateway sees now. */
  int outsidePort() {
    return outside.getLocalPort();
  }

  /** A new outside port; the old one is closed, so nothing sent to it reaches the device any more. */
  synchronized void rebind() throws IOException {
    DatagramSocket old = outside;
    outside = openOutside();
    old.close();
  }

  /** The datagrams that went through {@code outsidePort}, in order. */
  List<Datagram> through(int outsidePort) {
    return traffic.stream().filter(d -> d.outsidePort() == outsidePort).toList();
  }

  long clientHellos() {
    return traffic.stream().filter(Datagram::clientHello).count();
  }

  private DatagramSocket openOutside() throws IOException {
    DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    s.connect(server);
    start("nat-outside-" + s.getLocalPort(), () -> {
      DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
      s.receive(p);
      byte[] data = Arrays.copyOf(p.getData(), p.getLength());
      traffic.add(new Datagram(false, s.getLocalPort(), data));
      SocketAddress to = device;
      if (to != null) {
        inside.send(new DatagramPacket(data, data.length, to));
      }
    }, s);
    return s;
  }

  private interface Step {
    void run() throws IOException;
  }

  /** Runs {@code step} until {@code socket} is closed. */
  private static void start(String name, Step step, DatagramSocket socket) {
    Thread t = new Thread(() -> {
      while (!socket.isClosed()) {
        try {
          step.run();
        } catch (IOException e) {
          // closed: the loop ends
        }
      }
    }, name);
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() {
    inside.close();
    outside.close();
  }
}
