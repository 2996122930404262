package io.estuary.bench.mqtt;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.estuary.testkit.TestGateway;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What one queued message holds in heap, against what {@code mqtt.max_mqueue_total_bytes} charges for it
 * ({@code bench/queued-message-heap.sh}): an in-process gateway with persistence on (the queue's durable copy is in
 * RocksDB, off heap), SUBSCRIBERS offline persistent sessions subscribed to one topic, MESSAGES QoS 1 publishes of
 * PAYLOAD bytes each queued for all of them; used heap after full GCs before and after, per queued copy, beside the
 * budget's gauge per queued copy. Arguments: subscribers messages payload.
 */
public final class QueuedMessageHeap {
  private QueuedMessageHeap() {
  }

  public static void main(String[] args) throws Exception {
    int subscribers = Integer.parseInt(args[0]);
    int messages = Integer.parseInt(args[1]);
    int payload = Integer.parseInt(args[2]);
    Path dir = Files.createTempDirectory("queued-heap");
    try (TestGateway gw = TestGateway.builder().persistence(dir)
        .config("mqtt.max_mqueue_len = 0\nmqtt.max_mqueue_total_bytes = 0\nmqtt.max_inflight = 65535").start()) {
      for (int s = 0; s < subscribers; s++) {
        Mqtt5BlockingClient c = Mqtt5Client.builder().identifier("q-sub-" + s).serverHost("127.0.0.1")
            .serverPort(gw.mqttPort()).buildBlocking();
        c.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
        c.subscribeWith().topicFilter("q/t").qos(MqttQos.AT_LEAST_ONCE).send();
        c.disconnect();
      }
      Mqtt5AsyncClient pub = Mqtt5Client.builder().identifier("q-pub").serverHost("127.0.0.1")
          .serverPort(gw.mqttPort()).buildAsync();
      pub.connect().get();
      long before = usedAfterGc();
      List<CompletableFuture<?>> window = new ArrayList<>();
      for (int i = 0; i < messages; i++) {
        byte[] p = new byte[payload];
        for (int b = 0; b < p.length; b++) {
          p[b] = (byte) (i + b);
        }
        window.add(pub.publishWith().topic("q/t").qos(MqttQos.AT_LEAST_ONCE).payload(p).send());
        if (window.size() == 500) {
          CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get();
          window.clear();
        }
      }
      CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get();
      pub.disconnect().get();
      long copies = (long) subscribers * messages;
      long queued = 0;
      for (int s = 0; s < subscribers; s++) {
        queued += gw.session("q-sub-" + s).queued();
      }
      Thread.sleep(3000); // the store writer's queue drains (it holds the writes in heap until then)
      long after = usedAfterGc();
      double gauge = gw.gateway().metrics().registry().find("estuary.mqueue.total_bytes").gauge().value();
      System.out.printf("RESULT subscribers=%d messages=%d payload=%d copies_queued=%d heap_per_copy=%.0f "
          + "charged_per_copy=%.0f%n", subscribers, messages, payload, queued, (after - before) / (double) copies,
          gauge / copies);
    }
  }

  private static long usedAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
