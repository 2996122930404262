package io.estuary.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A blocking MQTT client over a plain socket for tests that need exact control: raw bytes, packets out of
 * order, no automatic acks. Encoding and decoding use Netty's MQTT codec in an EmbeddedChannel.
 */
public final class RawMqttClient implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final EmbeddedChannel codec;
  private final Deque<MqttMessage> received = new ArrayDeque<>();

  public RawMqttClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setTcpNoDelay(true);
    in = socket.getInputStream();
    out = socket.getOutputStream();
    codec = new EmbeddedChannel(new MqttDecoder(1 << 20), MqttEncoder.INSTANCE);
  }

  public void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  public void send(MqttMessage m) throws IOException {
    codec.writeOutbound(m);
    ByteBuf b;
    while ((b = codec.readOutbound()) != null) {
      try {
        sendRaw(ByteBufUtil.getBytes(b));
      } finally {
        b.release();
      }
    }
  }

  /**
   * CONNECT (version 4 or 5, clean start) encoded by hand, so a client id Netty's encoder refuses (a NUL, since
   * Netty 4.1.12x validates on encode) still goes out as hostile input; returns the CONNACK.
   */
  public MqttMessage connectUnchecked(String clientId, int version, int keepAliveSeconds) throws IOException {
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    body.writeBytes(new byte[] {0, 4, 'M', 'Q', 'T', 'T', (byte) version, 0x02, (byte) (keepAliveSeconds >> 8), (byte) keepAliveSeconds});
    if (version == 5) {
      body.write(0); // no properties
    }
    writeString(body, clientId);
    sendRaw(packet(0x10, body.toByteArray()));
    return await(MqttMessageType.CONNACK, Duration.ofSeconds(5));
  }

  /** A QoS 0 PUBLISH encoded by hand (a topic Netty's encoder refuses, such as one with wildcards). */
  public void publishUnchecked(String topic, byte[] payload, int version) throws IOException {
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    writeString(body, topic);
    if (version == 5) {
      body.write(0); // no properties
    }
    body.writeBytes(payload);
    sendRaw(packet(0x30, body.toByteArray()));
  }

  private static void writeString(java.io.ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.write(b.length >> 8);
    out.write(b.length);
    out.writeBytes(b);
  }

  /** Fixed header (type byte, variable-length remaining length) + body. */
  private static byte[] packet(int typeAndFlags, byte[] body) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(typeAndFlags);
    int len = body.length;
    do {
      int digit = len % 128;
      len /= 128;
      out.write(len > 0 ? digit | 0x80 : digit);
    } while (len > 0);
    out.writeBytes(body);
    return out.toByteArray();
  }

  /** CONNECT with the given version (3, 4 or 5), clean start and keepalive; returns the CONNACK. */
  public MqttMessage connect(String clientId, int version, boolean clean, int keepAliveSeconds) throws IOException {
    return connect(clientId, version, clean, keepAliveSeconds, MqttProperties.NO_PROPERTIES);
  }

  public MqttMessage connect(String clientId, int version, boolean clean, int keepAliveSeconds, MqttProperties props) throws IOException {
    MqttVersion v = version == 5 ? MqttVersion.MQTT_5 : version == 3 ? MqttVersion.MQTT_3_1 : MqttVersion.MQTT_3_1_1;
    send(MqttMessageBuilders.connect().clientId(clientId).protocolVersion(v).cleanSession(clean)
        .keepAlive(keepAliveSeconds).properties(props).build());
    return await(MqttMessageType.CONNACK, Duration.ofSeconds(5));
  }

  /** The next decoded packet within {@code timeout}, or null if none came; throws if the connection closed. */
  public MqttMessage next(Duration timeout) throws IOException {
    if (!received.isEmpty()) {
      return received.poll();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] buf = new byte[8192];
    while (System.nanoTime() < deadline) {
      socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      int n;
      try {
        n = in.read(buf);
      } catch (SocketTimeoutException e) {
        return null;
      }
      if (n < 0) {
        throw new IOException("connection closed by the server");
      }
      codec.writeInbound(Unpooled.copiedBuffer(buf, 0, n));
      Object o;
      while ((o = codec.readInbound()) != null) {
        received.add((MqttMessage) o);
      }
      if (!received.isEmpty()) {
        return received.poll();
      }
    }
    return null;
  }

  /** Waits for a packet of {@code type}, skipping others; null on timeout. */
  public MqttMessage await(MqttMessageType type, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      MqttMessage m = next(Duration.ofNanos(deadline - System.nanoTime()));
      if (m != null && m.fixedHeader().messageType() == type) {
        return m;
      }
      ReferenceCountUtil.release(m);
    }
    return null;
  }

  /** True once the server has closed the connection (read returns EOF) within {@code timeout}. */
  public boolean closedByServer(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        next(Duration.ofNanos(deadline - System.nanoTime()));
      }
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /** Everything decoded so far plus what arrives until the server closes or {@code timeout} ends. */
  public Deque<MqttMessage> drainUntilClosed(Duration timeout) {
    Deque<MqttMessage> all = new ArrayDeque<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        MqttMessage m = next(Duration.ofNanos(deadline - System.nanoTime()));
        if (m != null) {
          all.add(m);
        }
      }
    } catch (IOException closed) {
      // expected
    }
    return all;
  }

  /** Drops the TCP connection without DISCONNECT (an abnormal close). */
  @Override
  public void close() throws IOException {
    codec.finishAndReleaseAll();
    socket.close();
  }
}
