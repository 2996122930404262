package io.estuary.bench.coap;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;

/**
 * The MQTT side of the CoAP benchmark: a bare MQTT 3.1.1 client (one socket, one reader thread) that
 * subscribes at QoS 0 and counts PUBLISH packets. Needs nothing but the JDK, so the benchmark runs on
 * the gateway's distribution jar alone.
 */
final class MqttCounter implements AutoCloseable {
  private final Socket socket;
  private final LongAdder received = new LongAdder();
  private final Thread reader;

  MqttCounter(InetSocketAddress broker, String clientId, String filter) throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(broker, 5_000);
    socket.setSoTimeout(10_000);
    OutputStream out = socket.getOutputStream();
    DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
    byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
    // CONNECT: "MQTT", level 4, clean session, keepalive 0 (MQTT 3.1.1 §3.1)
    byte[] connect = concat(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 0}, utf8(id));
    out.write(packet(0x10, connect));
    if (in.readUnsignedByte() != 0x20 || in.readUnsignedByte() != 2 || in.readUnsignedByte() > 1
        || in.readUnsignedByte() != 0) {
      throw new IOException("CONNECT refused");
    }
    byte[] sub = concat(new byte[] {0, 1}, concat(utf8(filter.getBytes(StandardCharsets.UTF_8)), new byte[] {0}));
    out.write(packet(0x82, sub));
    out.flush();
    if (in.readUnsignedByte() != 0x90) {
      throw new IOException("no SUBACK");
    }
    in.skipBytes(remainingLength(in));
    socket.setSoTimeout(0);
    reader = new Thread(() -> read(in), "mqtt-counter");
    reader.setDaemon(true);
    reader.start();
  }

  long received() {
    return received.sum();
  }

  private void read(DataInputStream in) {
    try {
      while (true) {
        int header = in.readUnsignedByte();
        int len = remainingLength(in);
        in.skipNBytes(len);
        if ((header & 0xF0) == 0x30) {
          received.increment();
        }
      }
    } catch (EOFException e) {
      // broker closed the connection
    } catch (IOException e) {
      // closed by close()
    }
  }

  private static int remainingLength(InputStream in) throws IOException {
    int value = 0;
    for (int shift = 0; shift < 28; shift += 7) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException();
      }
      value |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IOException("bad remaining length");
  }

  private static byte[] packet(int header, byte[] body) {
    byte[] len = new byte[4];
    int n = 0;
    int v = body.length;
    do {
      int b = v % 128;
      v /= 128;
      len[n++] = (byte) (v > 0 ? b | 0x80 : b);
    } while (v > 0);
    byte[] out = new byte[1 + n + body.length];
    out[0] = (byte) header;
    System.arraycopy(len, 0, out, 1, n);
    System.arraycopy(body, 0, out, 1 + n, body.length);
    return out;
  }

  private static byte[] utf8(byte[] s) {
    return concat(new byte[] {(byte) (s.length >> 8), (byte) s.length}, s);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Override
  public void close() {
    try {
      socket.getOutputStream().write(new byte[] {(byte) 0xE0, 0}); // DISCONNECT
      socket.close();
    } catch (IOException e) {
      // already gone
    }
  }
}
