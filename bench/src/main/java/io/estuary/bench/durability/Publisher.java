package io.estuary.bench.durability;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps up to {@code window} PUBLISHes in flight on a clean session; a sequence number is acknowledged
 * at PUBACK (QoS 1) or PUBREC (QoS 2). Payload {@code name-seq}; each connection continues the sequence.
 */
final class Publisher {
  final String name;
  final String topic;
  final int qos;
  final int window;
  final Set<Long> acked = ConcurrentHashMap.newKeySet();
  final AtomicLong sent = new AtomicLong();
  private long nextSeq = 1;

  Publisher(String name, String topic, int qos, int window) {
    this.name = name;
    this.topic = topic;
    this.qos = qos;
    this.window = window;
  }

  /** Publishes until the connection dies. */
  void runAgainst(int port) {
    Map<Integer, Long> inflight = new HashMap<>();
    int nextId = 1;
    try (RawMqtt c = new RawMqtt(port, name, true)) {
      while (true) {
        while (inflight.size() < window) {
          while (inflight.containsKey(nextId)) {
            nextId = nextId == 65535 ? 1 : nextId + 1;
          }
          long seq = nextSeq++;
          c.send(RawMqtt.publish(topic, name + "-" + seq, qos, nextId));
          sent.incrementAndGet();
          inflight.put(nextId, seq);
          nextId = nextId == 65535 ? 1 : nextId + 1;
        }
        MqttMessage m = c.next(Duration.ofMillis(200));
        if (m == null) {
          continue;
        }
        try {
          MqttMessageType type = m.fixedHeader().messageType();
          int id = RawMqtt.packetId(m);
          if (type == MqttMessageType.PUBACK) {
            Long seq = inflight.remove(id);
            if (seq != null) {
              acked.add(seq);
            }
          } else if (type == MqttMessageType.PUBREC) {
            Long seq = inflight.get(id);
            if (seq != null) {
              acked.add(seq);
            }
            c.send(RawMqtt.ack(MqttMessageType.PUBREL, id));
          } else if (type == MqttMessageType.PUBCOMP) {
            inflight.remove(id);
          }
        } finally {
          ReferenceCountUtil.release(m);
        }
      }
    } catch (IOException | RuntimeException e) {
      // killed: what was acknowledged is final
    }
  }
}
