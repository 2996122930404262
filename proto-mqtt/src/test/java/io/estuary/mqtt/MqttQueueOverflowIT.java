package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import io.estuary.testkit.TestGateway;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code mqtt.mqueue_overflow} with real clients (HiveMQ's): what a full session queue does with one more
 * message — drop the oldest (default), drop the newest, or hold the publisher's PUBACK until there is room.
 */
@Timeout(90)
class MqttQueueOverflowIT {

  private static double dropped(TestGateway gw) {
    return gw.gateway().metrics().registry().get("estuary.messages.dropped").tag("reason", "queue_full").counter().count();
  }

  private static Mqtt5BlockingClient client(TestGateway gw, String id) {
    return Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
  }

  @ParameterizedTest(name = "{0}: 50 messages into a queue of 10 keep {1}..{2}")
  @CsvSource({"'', 40, 49", "'mqtt.mqueue_overflow = drop_oldest', 40, 49", "'mqtt.mqueue_overflow = drop_newest', 0, 9"})
  void a_full_queue_of_an_offline_subscriber_drops_exactly_what_the_policy_says(String config, int first, int last)
      throws Exception {
    try (TestGateway gw = TestGateway.builder().config("mqtt.max_mqueue_len = 10").config(config).start()) {
      var sub = client(gw, "drop-sub");
      sub.connectWith().sessionExpiryInterval(300).send();
      sub.subscribeWith().topicFilter("drop/t").qos(MqttQos.AT_LEAST_ONCE).send();
      sub.disconnect();
      var pub = client(gw, "drop-pub");
      pub.connect();
      for (int i = 0; i < 50; i++) {
        pub.publishWith().topic("drop/t").qos(MqttQos.AT_LEAST_ONCE).payload(("m" + i).getBytes(StandardCharsets.UTF_8)).send();
      }
      pub.disconnect();
      await().atMost(Duration.ofSeconds(20)).until(() -> dropped(gw) == 40.0);
      assertThat(gw.broker().sessionView("drop-sub").queued()).isEqualTo(10);
      try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
        sub.connectWith().cleanStart(false).sessionExpiryInterval(300).send();
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          got.add(new String(publishes.receive(10, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes(), StandardCharsets.UTF_8));
        }
        List<String> expected = new ArrayList<>();
        for (int i = first; i <= last; i++) {
          expected.add("m" + i);
        }
        assertThat(got).containsExactlyElementsOf(expected);
        assertThat(publishes.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
      }
      sub.disconnect();
    }
  }

  /**
   * A subscriber that takes one message at a time and acknowledges only when the test says so: with
   * backpressure its publisher gets PUBACKs for what fits (1 inflight + 10 queued) and waits for the rest,
   * then every one of 300 acknowledged messages arrives, in order, none dropped.
   */
  @Test
  void with_backpressure_a_slow_subscriber_holds_its_publishers_acknowledgements_and_loses_nothing() throws Exception {
    int total = 300;
    try (TestGateway gw = TestGateway.builder().config("mqtt { max_mqueue_len = 10, mqueue_overflow = backpressure }").start()) {
      Mqtt5AsyncClient sub = Mqtt5Client.builder().identifier("slow-sub").serverHost("127.0.0.1").serverPort(gw.mqttPort())
          .buildAsync();
      LinkedBlockingQueue<Mqtt5Publish> received = new LinkedBlockingQueue<>();
      sub.publishes(MqttGlobalPublishFilter.ALL, received::add, true);
      sub.connectWith().restrictions().receiveMaximum(1).applyRestrictions().send().get(10, TimeUnit.SECONDS);
      sub.subscribeWith().topicFilter("slow/t").qos(MqttQos.AT_LEAST_ONCE).send().get(10, TimeUnit.SECONDS);

      Mqtt5AsyncClient pub = Mqtt5Client.builder().identifier("fast-pub").serverHost("127.0.0.1").serverPort(gw.mqttPort())
          .buildAsync();
      pub.connect().get(10, TimeUnit.SECONDS);
      AtomicInteger acked = new AtomicInteger();
      List<CompletableFuture<Mqtt5PublishResult>> stages = new CopyOnWriteArrayList<>();
      // HiveMQ's send() blocks its caller once the client's own buffer is full: publish from another thread
      ExecutorService publisher = Executors.newSingleThreadExecutor();
      CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
        for (int i = 0; i < total; i++) {
          stages.add(pub.publishWith().topic("slow/t").qos(MqttQos.AT_LEAST_ONCE)
              .payload(("m" + i).getBytes(StandardCharsets.UTF_8)).send().whenComplete((r, e) -> acked.incrementAndGet()));
        }
      }, publisher);
      // the publisher fills its send window (the broker's Receive Maximum) and then waits for PUBACKs
      int window = 100;
      await().atMost(Duration.ofSeconds(30)).until(() -> gw.broker().sessionView("slow-sub").queued() == 10 + window);
      assertThat(acked.get()).as("PUBACKs: 1 inflight + 10 queued; the rest wait for room").isEqualTo(11);
      assertThat(dropped(gw)).isZero();

      List<String> got = new ArrayList<>();
      while (got.size() < total) {
        Mqtt5Publish p = received.poll(20, TimeUnit.SECONDS);
        assertThat(p).as("message %d of %d", got.size(), total).isNotNull();
        got.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8));
        p.acknowledge();
      }
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        expected.add("m" + i);
      }
      assertThat(got).containsExactlyElementsOf(expected);
      sent.get(20, TimeUnit.SECONDS);
      publisher.shutdown();
      CompletableFuture.allOf(stages.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
      assertThat(stages).allMatch(s -> s.join().getError().isEmpty());
      assertThat(dropped(gw)).isZero();
      pub.disconnect().get(10, TimeUnit.SECONDS);
      sub.disconnect().get(10, TimeUnit.SECONDS);
    }
  }
}
