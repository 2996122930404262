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
