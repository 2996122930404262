package io.estuary.app;

import io.estuary.testkit.QosClient;
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
 * A publisher that keeps up to {@code window} QoS 1/2 PUBLISHes in flight on a clean session and
 * records which sequence numbers were acknowledged (PUBACK, or PUBREC for QoS 2: the gateway owns the
 * message from then on). Payloads are {@code name-seq}; a new connection continues the sequence.
 */
final class StreamingPublisher {
  final String name;
  final String topic;
  final int qos;
  final int window;
  final Set<Long> acked = ConcurrentHashMap.newKeySet();
  final AtomicLong sent = new AtomicLong();
  private long nextSeq = 1;
  private volatile boolean stop;

  StreamingPublisher(String name, String topic, int qos, int window) {
    this.name = name;
    this.topic = topic;
    this.qos = qos;
    this.window = window;
  }

  void stop() {
    stop = true;
  }

  /** Publishes until {@link #stop()} or until the connection dies (the gateway was killed). */
  void runAgainst(int port) {
    stop = false;
    Map<Integer, Long> inflight = new HashMap<>();
    int nextId = 1;
    try (QosClient c = QosClient.connect(port, name, true)) {
      while (!stop) {
        while (inflight.size() < window) {
          while (inflight.containsKey(nextId)) {
            nextId = nextId == 65535 ? 1 : nextId + 1;
          }
          long seq = nextSeq++;
          c.raw().send(QosClient.publish(topic, name + "-" + seq, qos, nextId));
          sent.incrementAndGet();
          inflight.put(nextId, seq);
          nextId = nextId == 65535 ? 1 : nextId + 1;
        }
        MqttMessage m = c.raw().next(Duration.ofMillis(200));
        if (m == null) {
          continue;
        }
        try {
          MqttMessageType type = m.fixedHeader().messageType();
          int id = QosClient.packetId(m);
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
            c.raw().send(QosClient.ack(MqttMessageType.PUBREL, id));
          } else if (type == MqttMessageType.PUBCOMP) {
            inflight.remove(id);
          }
        } finally {
          ReferenceCountUtil.release(m);
        }
      }
    } catch (IOException | RuntimeException e) {
      // the gateway went away: what was acknowledged so far is final
    }
  }
}
