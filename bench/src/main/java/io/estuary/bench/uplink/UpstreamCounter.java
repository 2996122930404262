package io.estuary.bench.uplink;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The subscriber on mosquitto ({@code up/devices/<run>/#}): counts distinct messages per publisher (payload = publisher index,
 * sequence number, padding) and checks their order; duplicates (QoS 1 resends) are counted apart.
 * Persistent session with automatic reconnect, so it survives a mosquitto restart.
 */
final class UpstreamCounter implements AutoCloseable {
  private final Mqtt5AsyncClient client;
  private final AtomicLongArray lastSeq;
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong outOfOrder = new AtomicLong();
  private volatile long firstNanos;
  private volatile long lastNanos;

  UpstreamCounter(int port, String run, int publishers) {
    lastSeq = new AtomicLongArray(publishers);
    for (int i = 0; i < publishers; i++) {
      lastSeq.set(i, -1);
    }
    client = MqttClient.builder().useMqttVersion5().identifier("uplink-bench-counter-" + run)
        .serverHost("127.0.0.1").serverPort(port)
        .automaticReconnect().initialDelay(50, TimeUnit.MILLISECONDS).maxDelay(200, TimeUnit.MILLISECONDS).applyAutomaticReconnect()
        .buildAsync();
    // one callback thread at a time (hivemq delivers a flow in order)
    client.publishes(MqttGlobalPublishFilter.ALL, this::onMessage);
    client.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().join();
    client.subscribeWith().topicFilter("up/devices/" + run + "/#").qos(MqttQos.AT_LEAST_ONCE).send().join();
  }

  private void onMessage(Mqtt5Publish p) {
    ByteBuffer b = p.getPayload().orElseThrow();
    int publisher = b.getInt(0);
    long seq = b.getLong(4);
    long prev = lastSeq.get(publisher);
    if (seq <= prev) {
      duplicates.incrementAndGet();
      return;
    }
    if (seq != prev + 1) {
      outOfOrder.incrementAndGet();
    }
    lastSeq.set(publisher, seq);
    long now = System.nanoTime();
    if (received.getAndIncrement() == 0) {
      firstNanos = now;
    }
    lastNanos = now;
  }

  long received() {
    return received.get();
  }

  long duplicates() {
    return duplicates.get();
  }

  /** Gaps in a publisher's sequence (a later message arrived before an earlier one, or one was lost). */
  long gaps() {
    return outOfOrder.get();
  }

  long firstNanos() {
    return firstNanos;
  }

  long lastNanos() {
    return lastNanos;
  }

  @Override
  public void close() {
    client.disconnectWith().sessionExpiryInterval(0).send().exceptionally(e -> null).join();
  }
}
