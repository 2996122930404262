package io.estuary.bench.durability;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/** A blocking MQTT 3.1.1 client with hand-made QoS handshakes (Netty's codec in an EmbeddedChannel). */
public final class RawMqtt implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final EmbeddedChannel codec = new EmbeddedChannel(new MqttDecoder(1 << 20), MqttEncoder.INSTANCE);
  private final ArrayDeque<MqttMessage> received = new ArrayDeque<>();
  private final byte[] buf = new byte[65536];

  public RawMqtt(int port, String clientId, boolean clean) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setTcpNoDelay(true);
    in = socket.getInputStream();
    out = socket.getOutputStream();
    send(MqttMessageBuilders.connect().clientId(clientId).protocolVersion(MqttVersion.MQTT_3_1_1).cleanSession(clean).keepAlive(60).build());
    MqttMessage ack = await(MqttMessageType.CONNACK, Duration.ofSeconds(10));
    if (ack == null) {
      throw new IOException("no CONNACK for " + clientId);
    }
  }

  public void send(MqttMessage m) throws IOException {
    codec.writeOutbound(m);
    ByteBuf b;
    while ((b = codec.readOutbound()) != null) {
      try {
        out.write(ByteBufUtil.getBytes(b));
      } finally {
        b.release();
      }
    }
    out.flush();
  }

  public static MqttPublishMessage publish(String topic, String payload, int qos, int packetId) {
    return MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.valueOf(qos)).messageId(packetId).retained(false)
        .payload(Unpooled.wrappedBuffer(payload.getBytes(StandardCharsets.UTF_8))).build();
  }

  public static MqttMessage ack(MqttMessageType type, int packetId) {
    MqttQoS q = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
    return new MqttMessage(new MqttFixedHeader(type, false, q, false, 2), MqttMessageIdVariableHeader.from(packetId));
  }

  public static int packetId(MqttMessage m) {
    return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
  }

  public void subscribe(String filter, int qos) throws IOException {
    send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.valueOf(qos), filter).build());
    if (await(MqttMessageType.SUBACK, Duration.ofSeconds(10)) == null) {
      throw new IOException("no SUBACK");
    }
  }

  /** The next packet within {@code timeout} or null; IOException once the server closed. */
  public MqttMessage next(Duration timeout) throws IOException {
    if (!received.isEmpty()) {
      return received.poll();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
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

  MqttMessage await(MqttMessageType type, Duration timeout) throws IOException {
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

  /**
   * Receives and acknowledges until nothing arrives for {@code quiet}; hands each payload to
   * {@code sink}, QoS 2 retransmissions of a packet id awaiting PUBREL only once (MQTT §4.3.3).
   */
  void drain(Duration quiet, Consumer<String> sink) throws IOException {
    Set<Integer> awaitingRel = new HashSet<>();
    while (true) {
      MqttMessage m = next(quiet);
      if (m == null) {
        return;
      }
      try {
        if (m instanceof MqttPublishMessage p) {
          int qos = p.fixedHeader().qosLevel().value();
          int id = p.variableHeader().packetId();
          if (qos < 2 || awaitingRel.add(id)) {
            sink.accept(p.payload().toString(StandardCharsets.UTF_8));
          }
          if (qos > 0) {
            send(ack(qos == 1 ? MqttMessageType.PUBACK : MqttMessageType.PUBREC, id));
          }
        } else if (m.fixedHeader().messageType() == MqttMessageType.PUBREL) {
          awaitingRel.remove(packetId(m));
          send(ack(MqttMessageType.PUBCOMP, packetId(m)));
        }
      } finally {
        ReferenceCountUtil.release(m);
      }
    }
  }

  @Override
  public void close() throws IOException {
    codec.finishAndReleaseAll();
    socket.close();
  }
}
