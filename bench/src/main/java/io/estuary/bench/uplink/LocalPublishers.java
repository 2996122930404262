package io.estuary.bench.uplink;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MQTT publishers on Estuary: each sends its share of {@code total} messages on
 * {@code devices/<run>/<i>} with a bounded number outstanding (QoS 1: unacknowledged; QoS 0: not yet
 * written). Payload: publisher index (4 bytes), sequence (8 bytes), zero padding to {@code size}.
 */
final class LocalPublishers implements AutoCloseable {
  private static final int WINDOW = 1000;

  private final List<Mqtt5AsyncClient> clients = new ArrayList<>();
  private final AtomicLong failed = new AtomicLong();

  LocalPublishers(int port, int count) {
    for (int i = 0; i < count; i++) {
      Mqtt5AsyncClient c = MqttClient.builder().useMqttVersion5().identifier("uplink-bench-pub-" + i)
          .serverHost("127.0.0.1").serverPort(port).buildAsync();
      c.connectWith().cleanStart(true).send().join();
      clients.add(c);
    }
  }

  /** Publishes {@code total} messages split over the publishers; returns when all are acknowledged/written. */
  void publish(String run, long total, int qos, int size) throws InterruptedException {
    publish(run, total, qos, size, 0);
  }

  /** As above, paced to {@code rate} messages per second in total (0 = as fast as acknowledged). */
  void publish(String run, long total, int qos, int size, double rate) throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clients.size(); i++) {
      int index = i;
      long share = total / clients.size() + (i < total % clients.size() ? 1 : 0);
      Thread t = new Thread(() -> run(run, index, share, qos, size, rate / clients.size()), "uplink-bench-pub-" + i);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
  }

  private void run(String run, int index, long share, int qos, int size, double rate) {
    Mqtt5AsyncClient c = clients.get(index);
    Semaphore window = new Semaphore(WINDOW);
    String topic = "devices/" + run + "/" + index;
    MqttQos q = MqttQos.fromCode(qos);
    long start = System.nanoTime();
    try {
      for (long seq = 0; seq < share; seq++) {
        if (rate > 0) {
          long due = start + (long) (seq * 1e9 / rate);
          long wait = due - System.nanoTime();
          // pacing an open-loop load generator in 1 ms ticks: parking before every message (200 µs
          // apart at 20k msgs/s over 4 publishers) costs a wake-up per message in this JVM, in
          // Estuary's event loop and in the client's, which the measured path then pays for
          if (wait > 1_000_000) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait);
          }
        }
        window.acquire();
        ByteBuffer payload = ByteBuffer.allocate(Math.max(12, size));
        payload.putInt(0, index).putLong(4, seq);
        CompletableFuture<?> f = c.publish(Mqtt5Publish.builder().topic(topic).qos(q).payload(payload).build());
        f.whenComplete((r, e) -> {
          if (e != null) {
            failed.incrementAndGet();
          }
          window.release();
        });
      }
      window.acquire(WINDOW); // everything acknowledged (QoS 1) or written (QoS 0)
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  long failed() {
    return failed.get();
  }

  @Override
  public void close() {
    clients.forEach(c -> c.disconnect().exceptionally(e -> null).join());
  }
}
