package io.estuary.bench.tcp;

import java.io.BufferedInputStream;
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
 * A bare MQTT 3.1.1 QoS 0 subscriber on one socket and one reader thread: counts PUBLISHes and records the latency
 * from the nanoTime in the first 8 payload bytes (same JVM). A trimmed copy of the MQTT-SN bench's subscriber
 * (package-private there).
 */
final class Subscriber implements AutoCloseable {
  private final Socket socket;
  private final AtomicLong received = new AtomicLong();
  private final Recorder latency = new Recorder(3);
  private volatile boolean closing;

  Subscriber(InetSocketAddress broker, String filter) throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.setReceiveBufferSize(1 << 20);
    socket.connect(broker, 5_000);
    socket.setSoTimeout(10_000);
    OutputStream out = socket.getOutputStream();
    DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 256 * 1024));
    out.write(Wire.mqttConnect("tcp-bench-sub"));
    out.flush();
    if (in.readUnsignedByte() != 0x20 || in.readUnsignedByte() != 2 || in.readUnsignedByte() > 1 || in.readUnsignedByte() != 0) {
      throw new IOException("CONNECT refused");
    }
    byte[] f = filter.getBytes(StandardCharsets.UTF_8);
    ByteBuffer sub = ByteBuffer.allocate(7 + f.length);
    sub.put((byte) 0x82).put((byte) (5 + f.length)).putShort((short) 1).putShort((short) f.length).put(f).put((byte) 0);
    out.write(sub.array());
    out.flush();
    if (in.readUnsignedByte() != 0x90) {
      throw new IOException("no SUBACK");
    }
    in.skipBytes(remainingLength(in));
    socket.setSoTimeout(0);
    Thread reader = new Thread(() -> read(in), "tcp-bench-sub");
    reader.setDaemon(true);
    reader.start();
  }

  long received() {
    return received.get();
  }

  org.HdrHistogram.Histogram latencyInterval() {
    return latency.getIntervalHistogram();
  }

  private void read(DataInputStream in) {
    byte[] buf = new byte[64 * 1024];
    try {
      while (true) {
        int header = in.readUnsignedByte();
        int len = remainingLength(in);
        in.readFully(buf, 0, len);
        if ((header & 0xF0) != 0x30) {
          continue;
        }
        int at = 2 + (((buf[0] & 0xFF) << 8) | (buf[1] & 0xFF));
        if (len - at >= 8) {
          latency.recordValue(Math.max(0, System.nanoTime() - ByteBuffer.wrap(buf, at, 8).getLong()));
        }
        received.incrementAndGet();
      }
    } catch (IOException e) {
      if (!closing) {
        System.err.println("tcp-bench: subscriber stopped: " + e);
      }
    }
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
