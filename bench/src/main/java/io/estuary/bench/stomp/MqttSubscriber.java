package io.estuary.bench.stomp;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.LongConsumer;

/** A minimal MQTT 3.1.1 subscriber at QoS 1 (PUBACK per message), reading sequence numbers from payloads. */
final class MqttSubscriber implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  MqttSubscriber(String host, int port, String clientId, String topic) throws IOException {
    socket = new Socket(host, port);
    socket.setTcpNoDelay(true);
    in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
    out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
    byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
    byte[] user = "guest".getBytes(StandardCharsets.UTF_8);
    int len = 10 + 2 + id.length + 2 + user.length + 2 + user.length;
    out.write(0x10);
    remaining(len);
    out.write(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4, (byte) 0xC2, 0, 0}); // user+password, clean session, no keepalive
    str(id);
    str(user);
    str(user);
    out.flush();
    if (in.readUnsignedByte() != 0x20) {
      throw new IOException("no CONNACK");
    }
    in.readUnsignedByte();
    in.readUnsignedByte();
    if (in.readUnsignedByte() != 0) {
      throw new IOException("CONNACK refused");
    }
    byte[] t = topic.getBytes(StandardCharsets.UTF_8);
    out.write(0x82);
    remaining(2 + 2 + t.length + 1);
    out.write(new byte[] {0, 1});
    str(t);
    out.write(1);
    out.flush();
    if (in.readUnsignedByte() != 0x90) {
      throw new IOException("no SUBACK");
    }
    byte[] suback = new byte[readRemaining()];
    in.readFully(suback);
    if (suback[suback.length - 1] == (byte) 0x80) {
      throw new IOException("SUBACK refused");
    }
  }

  /** Reads PUBLISHes until {@code stop} says so, handing each payload's sequence number to {@code seen}. */
  void run(LongConsumer seen, java.util.function.BooleanSupplier stop) throws IOException {
    while (!stop.getAsBoolean()) {
      int h = in.read();
      if (h < 0) {
        return;
      }
      byte[] rest = new byte[readRemaining()];
      in.readFully(rest);
      if ((h & 0xF0) != 0x30) {
        continue;
      }
      int qos = (h >> 1) & 3;
      int tlen = ((rest[0] & 0xFF) << 8) | (rest[1] & 0xFF);
      int p = 2 + tlen;
      if (qos > 0) {
        out.write(0x40);
        out.write(2);
        out.write(rest[p]);
        out.write(rest[p + 1]);
        p += 2;
      }
      seen.accept(Payloads.seq(rest, p));
      if (in.available() == 0) {
        out.flush();
      }
    }
  }

  private void str(byte[] b) throws IOException {
    out.write(b.length >> 8);
    out.write(b.length & 0xFF);
    out.write(b);
  }

  private void remaining(int len) throws IOException {
    do {
      int d = len % 128;
      len /= 128;
      out.write(len > 0 ? d | 0x80 : d);
    } while (len > 0);
  }

  private int readRemaining() throws IOException {
    int v = 0;
    int mul = 1;
    int b;
    do {
      b = in.readUnsignedByte();
      v += (b & 0x7F) * mul;
      mul *= 128;
    } while ((b & 0x80) != 0);
    return v;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
