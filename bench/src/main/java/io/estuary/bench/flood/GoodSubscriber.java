package io.estuary.bench.flood;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The MQTT end: one hivemq-mqtt-client (MQTT 3.1.1, clean session) subscribed at QoS 1 to the good clients'
 * topics. Each PUBLISH is filed with the phase named in its payload (its callback runs on the client's event
 * loop; {@link Phase} locks what it records).
 */
final class GoodSubscriber implements AutoCloseable {
  private final Mqtt3AsyncClient client;
  private final Phase[] phases;
  private final AtomicLong foreign = new AtomicLong();

  GoodSubscriber(String host, int port, String filter, Phase[] phases) throws Exception {
    this.phases = phases;
    client = MqttClient.builder().useMqttVersion3().identifier("flood-bench-sub").serverHost(host).serverPort(port)
        .buildAsync();
    client.connectWith().cleanSession(true).keepAlive(60).send().get(30, TimeUnit.SECONDS);
    client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).callback(p -> {
      long now = System.nanoTime();
      byte[] b = p.getPayloadAsBytes();
      if (b.length < GoodClients.PAYLOAD) {
        foreign.incrementAndGet();
        return;
      }
      ByteBuffer bb = ByteBuffer.wrap(b);
      long due = bb.getLong();
      int phase = bb.get();
      bb.get();
      int clientIndex = bb.getShort() & 0xFFFF;
      int seq = bb.getInt();
      if (phase < 0 || phase >= phases.length) {
        foreign.incrementAndGet();
        return;
      }
      phases[phase].received(clientIndex, seq, now - due);
    }).send().get(30, TimeUnit.SECONDS);
  }

  long foreign() {
    return foreign.get();
  }

  /**
   * Waits until the subscriber has every message the gateway acknowledged in {@code p}: up to {@code millis} after
   * the last delivery seen, at most 10 x {@code millis} in all.
   */
  void awaitAcked(Phase p, long millis) throws InterruptedException {
    // a gateway still working off a flood's backlog delivers late, not never: wait while deliveries progress
    // (at most 10 x millis), so "lost" counts what stopped arriving, not what was still on its way
    long hardDeadline = System.currentTimeMillis() + 10 * millis;
    long deadline = System.currentTimeMillis() + millis;
    long seen = p.received.get();
    while (p.lost() > 0 && System.currentTimeMillis() < deadline && System.currentTimeMillis() < hardDeadline) {
      Thread.sleep(100);
      long now = p.received.get();
      if (now != seen) {
        seen = now;
        deadline = System.currentTimeMillis() + millis;
      }
    }
  }

  @Override
  public void close() {
    try {
      client.disconnect().get(5, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // the gateway may be gone
    }
  }
}
