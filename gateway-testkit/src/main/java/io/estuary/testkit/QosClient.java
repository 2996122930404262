package io.estuary.testkit;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * MQTT 3.1.1 over {@link RawMqttClient} with the QoS 1/2 handshakes done by hand, for durability
 * tests: a publisher that knows exactly which PUBLISHes were acknowledged, and a receiver that
 * de-duplicates QoS 2 by packet id as MQTT's receiver side must (§4.3.3) and records DUP flags.
 */
public final class QosClient implements AutoCloseable {
  /** One PUBLISH as received. */
  public record Received(String topic, String payload, int qos, boolean dup) {}

  private final RawMqttClient raw;
  private final Set<Integer> awaitingRel = new HashSet<>();

  private QosClient(RawMqttClient raw) {
    this.raw = raw;
  }

  /** Connects with MQTT 3.1.1; {@code clean = false} makes the session persistent. */
  public static QosClient connect(int port, String clientId, boolean clean) throws IOException {
    RawMqttClient raw = new RawMqttClient(port);
    MqttMessage ack = raw.connect(clientId, 4, clean, 60);
    if (ack == null) {
      raw.close();
      throw new IOException("no CONNACK for " + clientId);
    }
    return new QosClient(raw);
  }

  public RawMqttClient raw() {
    return raw;
  }

  public void subscribe(String filter, int qos) throws IOException {
    raw.send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.valueOf(qos), filter).build());
    if (raw.await(MqttMessageType.SUBACK, Duration.ofSeconds(5)) == null) {
      throw new IOException("no SUBACK");
    }
  }

  public static MqttPublishMessage publish(String topic, String payload, int qos, int packetId) {
    return publish(topic, payload, qos, packetId, false);
  }

  public static MqttPublishMessage publish(String topic, String payload, int qos, int packetId, boolean retain) {
    return MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.valueOf(qos)).messageId(packetId).retained(retain)
        .payload(Unpooled.wrappedBuffer(payload.getBytes(StandardCharsets.UTF_8))).build();
  }

  public static MqttMessage ack(MqttMessageType type, int packetId) {
    return new MqttMessage(new MqttFixedHeader(type, false, type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE,
        false, 2), MqttMessageIdVariableHeader.from(packetId));
  }

  public static int packetId(MqttMessage m) {
    return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
  }

  /** Publishes QoS 1 and waits for its PUBACK. */
  public void publishQos1(String topic, String payload, int packetId) throws IOException {
    raw.send(publish(topic, payload, 1, packetId));
    if (raw.await(MqttMessageType.PUBACK, Duration.ofSeconds(5)) == null) {
      throw new IOException("no PUBACK");
    }
  }

  /** Publishes QoS 2 and waits for PUBREC; PUBREL/PUBCOMP only with {@code complete}. */
  public void publishQos2(String topic, String payload, int packetId, boolean dup, boolean complete) throws IOException {
    MqttPublishMessage p = publish(topic, payload, 2, packetId);
    if (dup) {
      MqttFixedHeader h = p.fixedHeader();
      p = new MqttPublishMessage(new MqttFixedHeader(h.messageType(), true, h.qosLevel(), h.isRetain(), h.remainingLength()),
          p.variableHeader(), p.payload());
    }
    raw.send(p);
    if (raw.await(MqttMessageType.PUBREC, Duration.ofSeconds(5)) == null) {
      throw new IOException("no PUBREC");
    }
    if (complete) {
      raw.send(ack(MqttMessageType.PUBREL, packetId));
      if (raw.await(MqttMessageType.PUBCOMP, Duration.ofSeconds(5)) == null) {
        throw new IOException("no PUBCOMP");
      }
    }
  }

  /**
   * Receives until {@code count} PUBLISHes are recorded or {@code deadline} passes (then returns what came,
   * so the test's assertion shows the difference); see {@link #receiveUntil}.
   */
  public List<Received> receive(int count, Duration deadline, boolean ack) throws IOException {
    return receiveUntil(got -> got.size() >= count, deadline, ack);
  }

  /**
   * Receives until {@code done} holds for what was recorded or {@code deadline} passes, acknowledging when
   * {@code ack}; with {@code ack}, it then waits (within the same deadline) for the PUBREL of every QoS 2
   * PUBLISH it answered with PUBREC, so no exactly-once flow is left half done. A QoS 2 PUBLISH whose packet
   * id awaits PUBREL is a retransmission and is not recorded twice.
   */
  public List<Received> receiveUntil(Predicate<List<Received>> done, Duration deadline, boolean ack) throws IOException {
    List<Received> out = new ArrayList<>();
    long end = System.nanoTime() + deadline.toNanos();
    while (!(done.test(out) && (!ack || awaitingRel.isEmpty()))) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        break;
      }
      handle(raw.next(Duration.ofNanos(left)), out, ack);
    }
    return out;
  }

  /**
   * Everything that arrives within {@code window} (the whole window, however much comes): for checking that
   * nothing (more) arrives after the expected deliveries.
   */
  public List<Received> receiveFor(Duration window, boolean ack) throws IOException {
    List<Received> out = new ArrayList<>();
    long end = System.nanoTime() + window.toNanos();
    for (long left = window.toNanos(); left > 0; left = end - System.nanoTime()) {
      handle(raw.next(Duration.ofNanos(left)), out, ack);
    }
    return out;
  }

  /**
   * Receives until nothing arrives for {@code quiet}.
   *
   * @deprecated a quiet period is not a deadline: a slow machine passes it early and the test checks less
   *     than it says. Wait for what is expected with {@link #receive(int, Duration, boolean)} or
   *     {@link #receiveUntil}, then {@link #receiveFor} where nothing more may come.
   */
  @Deprecated
  public List<Received> receive(Duration quiet, boolean ack) throws IOException {
    List<Received> out = new ArrayList<>();
    while (true) {
      MqttMessage m = raw.next(quiet);
      if (m == null) {
        return out;
      }
      handle(m, out, ack);
    }
  }

  private void handle(MqttMessage m, List<Received> out, boolean ack) throws IOException {
    if (m == null) {
      return;
    }
    try {
      if (m instanceof MqttPublishMessage p) {
        int qos = p.fixedHeader().qosLevel().value();
        int id = p.variableHeader().packetId();
        Received r = new Received(p.variableHeader().topicName(), p.payload().toString(StandardCharsets.UTF_8), qos, p.fixedHeader().isDup());
        if (qos < 2 || awaitingRel.add(id)) {
          out.add(r);
        }
        if (ack && qos == 1) {
          raw.send(ack(MqttMessageType.PUBACK, id));
        } else if (ack && qos == 2) {
          raw.send(ack(MqttMessageType.PUBREC, id));
        }
      } else if (m.fixedHeader().messageType() == MqttMessageType.PUBREL) {
        int id = packetId(m);
        awaitingRel.remove(id);
        raw.send(ack(MqttMessageType.PUBCOMP, id));
      }
    } finally {
      ReferenceCountUtil.release(m);
    }
  }

  @Override
  public void close() throws IOException {
    raw.close();
  }
}
