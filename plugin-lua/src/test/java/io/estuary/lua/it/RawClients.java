package io.estuary.lua.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Just enough MQTT-SN (UDP) and STOMP (TCP) to connect and publish, written here from the specifications so the
 * tests need nothing of the adapters but their listeners (TestBoundary).
 */
public final class RawClients {
  private RawClients() {
  }

  /** An MQTT-SN 1.2 client over UDP: CONNECT, REGISTER, PUBLISH QoS 1; answers are the raw packets. */
  static final class Sn implements AutoCloseable {
    private final DatagramSocket socket;
    private final InetSocketAddress gateway;

    Sn(InetSocketAddress gateway) throws IOException {
      this.gateway = gateway;
      this.socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
      socket.setSoTimeout(5000);
    }

    private void send(int type, byte[] body) throws IOException {
      byte[] p = new byte[2 + body.length];
      p[0] = (byte) p.length;
      p[1] = (byte) type;
      System.arraycopy(body, 0, p, 2, body.length);
      socket.send(new DatagramPacket(p, p.length, gateway));
    }

    /** The next packet of {@code type} (others skipped), from its type byte on. */
    byte[] expect(int type) throws IOException {
      while (true) {
        byte[] buf = new byte[512];
        DatagramPacket d = new DatagramPacket(buf, buf.length);
        socket.receive(d);
        byte[] p = Arrays.copyOf(buf, d.getLength());
        if ((p[1] & 0xff) == type) {
          return Arrays.copyOfRange(p, 1, p.length);
        }
      }
    }

    /** CONNECT (clean session, keep-alive 60 s); the CONNACK return code. */
    int connect(String clientId) throws IOException {
      byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
      byte[] b = new byte[4 + id.length];
      b[0] = 0x04;
      b[1] = 0x01;
      b[3] = 60;
      System.arraycopy(id, 0, b, 4, id.length);
      send(0x04, b);
      return expect(0x05)[1] & 0xff;
    }

    /** REGISTER; the topic id of the REGACK. */
    int register(String topic, int msgId) throws IOException {
      byte[] t = topic.getBytes(StandardCharsets.UTF_8);
      byte[] b = new byte[4 + t.length];
      b[2] = (byte) (msgId >> 8);
      b[3] = (byte) msgId;
      System.arraycopy(t, 0, b, 4, t.length);
      send(0x0A, b);
      byte[] ack = expect(0x0B);
      return ((ack[1] & 0xff) << 8) | (ack[2] & 0xff);
    }

    /** PUBLISH QoS 1 to a registered topic id; the PUBACK return code. */
    int publish(int topicId, int msgId, String payload) throws IOException {
      byte[] d = payload.getBytes(StandardCharsets.UTF_8);
      byte[] b = new byte[5 + d.length];
      b[0] = 0x20;
      b[1] = (byte) (topicId >> 8);
      b[2] = (byte) topicId;
      b[3] = (byte) (msgId >> 8);
      b[4] = (byte) msgId;
      System.arraycopy(d, 0, b, 5, d.length);
      send(0x0C, b);
      return expect(0x0D)[5] & 0xff;
    }

    @Override
    public void close() throws IOException {
      send(0x18, new byte[0]);
      socket.close();
    }
  }

  /** A STOMP 1.2 client over TCP: frames as text, the command of each answer. */
  public static final class Stomp implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    public Stomp(InetSocketAddress server) throws IOException {
      socket = new Socket(server.getAddress(), server.getPort());
      socket.setSoTimeout(10_000);
      out = socket.getOutputStream();
      in = socket.getInputStream();
    }

    public void write(String frame) throws IOException {
      out.write((frame + "\0").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    /** The next frame as text (without the NUL), heart-beat newlines skipped; null when the server closed. */
    public String next() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) == '\n' || c == '\r') {
        // heart-beats
      }
      while (c > 0) {
        b.write(c);
        c = in.read();
      }
      return c < 0 && b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
    }

    public String connect(String clientId, String login, String passcode) throws IOException {
      write("CONNECT\naccept-version:1.2\nhost:localhost\nclient-id:" + clientId + "\nlogin:" + login + "\npasscode:"
          + passcode + "\n\n");
      return next();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
