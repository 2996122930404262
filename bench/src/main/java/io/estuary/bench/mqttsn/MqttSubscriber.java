package io.estuary.bench.mqttsn;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * The MQTT end of the benchmark: a bare MQTT 3.1.1 client on one socket and one reader thread. It
 * subscribes to a filter at QoS 0 or 1 (acknowledging QoS 1 PUBLISHes), counts what arrives and records
 * the latency from the nanoTime stamped into the first 8 payload bytes (same JVM, same clock).
 */
final class MqttSubscriber implements AutoCloseable {
  private final Socket socket;
  private final AtomicLong received = new AtomicLong();
  private final Recorder latency = new Recorder(3);
  private final Thread reader;
  private volatile boolean closing;

  MqttSubscriber(InetSocketAddress broker, String clientId, String filter, int qos) throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.setReceiveBufferSize(1 << 20);
    socket.connect(broker, 5_000);
    socket.setSoTimeout(10_000);
    OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
    DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 256 * 1024));
    byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
    // CONNECT: "MQTT", level 4, clean session, keepalive 0 (MQTT 3.1.1 §3.1)
    ByteBuffer connect = ByteBuffer.allocate(12 + id.length);
    connect.put(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 0}).putShort((short) id.length).put(id);
    write(out, 0x10, connect.array());
    out.flush();
    if (in.readUnsignedByte() != 0x20 || in.readUnsignedByte() != 2 || in.readUnsignedByte() > 1
        || in.readUnsignedByte() != 0) {
      throw new IOException("CONNECT refused");
    }
    byte[] f = filter.getBytes(StandardCharsets.UTF_8);
    ByteBuffer sub = ByteBuffer.allocate(5 + f.length);
    sub.putShort((short) 1).putShort((short) f.length).put(f).put((byte) qos);
    write(out, 0x82, sub.array());
    out.flush();
    if (in.readUnsignedByte() != 0x90) {
      throw new IOException("no SUBACK");
    }
    in.skipBytes(remainingLength(in));
    socket.setSoTimeout(0);
    reader = new Thread(() -> read(in, out), "mqttsn-bench-sub");
    reader.setDaemon(true);
    reader.start();
  }

  long received() {
    return received.get();
  }

  /** The latency histogram since the last call (nanoseconds). */
  org.HdrHistogram.Histogram latencyInterval() {
    return latency.getIntervalHistogram();
  }

  private void read(DataInputStream in, OutputStream out) {
    byte[] buf = new byte[64 * 1024];
    try {
      while (true) {
        int header = in.readUnsignedByte();
        int len = remainingLength(in);
        in.readFully(buf, 0, len);
        if ((header & 0xF0) != 0x30) {
          continue;
        }
        int qos = (header >> 1) & 3;
        int topicLen = ((buf[0] & 0xFF) << 8) | (buf[1] & 0xFF);
        int at = 2 + topicLen;
        if (qos > 0) {
          out.write(new byte[] {0x40, 2, buf[at], buf[at + 1]}); // PUBACK
          at += 2;
        }
        if (len - at >= 8) {
          long sent = ByteBuffer.wrap(buf, at, 8).getLong();
          latency.recordValue(Math.max(0, System.nanoTime() - sent));
        }
        received.incrementAndGet();
        if (qos > 0 && in.available() == 0) {
          out.flush();
        }
      }
    } catch (IOException e) {
      if (!closing) {
        System.err.println("mqttsn-bench: subscriber stopped: " + e);
      }
    }
  }

  private static void write(OutputStream out, int header, byte[] body) throws IOException {
    out.write(header);
    int len = body.length;
    do {
      int digit = len % 128;
      len /= 128;
      out.write(len > 0 ? digit | 0x80 : digit);
    } while (len > 0);
    out.write(body);
  }

  private static int remainingLength(DataInputStream in) throws IOException {
    int value = 0;
    int shift = 0;
    int b;
    do {
      b = in.readUnsignedByte();
      value |= (b & 0x7F) << shift;
      shift += 7;
    } while ((b & 0x80) != 0);
    return value;
  }

  @Override
  public void close() {
    closing = true;
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
