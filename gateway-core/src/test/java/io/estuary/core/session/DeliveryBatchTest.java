package io.estuary.core.session;

import static io.estuary.core.session.BrokerFixture.clean;
import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.Subscription;
import io.estuary.core.session.BrokerFixture.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A session hands the deliveries of one burst of its executor to the sink in one task (issue #18): the
 * order stays, and what else the session sends to the sink afterwards (a SUBACK's stage) comes after them. A
 * publish to one idle session runs its enqueue and hand-over on the publisher's thread (no pool hop), and so
 * does the acknowledgement that frees the inflight window for the next delivery.
 */
class DeliveryBatchTest {
  private final ManualExecutor pool = new ManualExecutor();
  private final BrokerFixture f = new BrokerFixture("", pool);

  @AfterEach
  void close() {
    f.close();
  }

  private void publishWithoutSettling(Device from, String topic, String payload, int qos) {
    from.session.publish(Message.of(topic, Payload.utf8(payload), qos, false));
  }

  @Test
  void the_publishes_queued_in_one_burst_reach_the_sink_in_one_task_in_their_order() {
    Device sub = f.open("sub", clean()).subscribe("t/#", 1);
    Device a = f.open("a", clean());
    Device b = f.open("b", clean());
    // the session is busy (a subscribe waits on its executor), so the publishes queue behind it; an idle
    // session would take each one on its publisher's thread (the next test)
    sub.session.subscribe(List.of(Subscription.of("u/#", 0)));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      publishWithoutSettling(a, "t/a", "a" + i, i % 2); // QoS 0 and 1 mixed, the last one QoS 0
      publishWithoutSettling(b, "t/b", "b" + i, 1 - i % 2);
      expected.add("a" + i);
      expected.add("b" + i);
    }
    pool.runAll(); // the session's mailbox: the subscribe, ten enqueues, then one hand-over
    assertThat(sub.sink.executor.pending()).as("the SUBACK's stage and the hand-over tasks on the sink's executor")
        .isEqualTo(2);
    f.settle();
    assertThat(sub.sink.payloads()).containsExactlyElementsOf(expected);
    assertThat(sub.sink.maxBatch()).isEqualTo(10);
    assertThat(f.broker.sessionView("sub").inflight()).isEqualTo(5);
  }

  @Test
  void a_publish_to_one_idle_session_is_queued_and_handed_to_the_sink_on_the_publishers_thread() {
    Device sub = f.open("sub", clean()).subscribe("t/#", 1);
    Device pub = f.open("pub", clean());
    publishWithoutSettling(pub, "t/x", "m0", 1);
    // the session pool has not run: the enqueue, the drain and the hand-over ran in the publish call
    assertThat(sub.sink.executor.pending()).as("hand-over tasks on the sink's executor").isEqualTo(1);
    f.settle();
    assertThat(sub.sink.payloads()).containsExactly("m0");
    assertThat(f.broker.sessionView("sub").inflight()).isEqualTo(1);
  }

  @Test
  void an_acknowledgement_to_an_idle_session_hands_the_next_delivery_over_on_the_acknowledging_thread() {
    BrokerFixture one = new BrokerFixture("mqtt.max_inflight = 1", pool);
    try {
      Device sub = one.open("sub", clean()).subscribe("t/#", 1);
      Device pub = one.open("pub", clean());
      publishWithoutSettling(pub, "t/x", "m0", 1);
      publishWithoutSettling(pub, "t/x", "m1", 1);
      one.settle();
      assertThat(sub.sink.payloads()).as("the inflight window of one holds m1 back").containsExactly("m0");
      sub.session.acknowledge(sub.sink.delivered.get(0).id());
      // the session pool has not run: the acknowledgement, the drain and the hand-over of m1 ran in the call
      assertThat(pool.pending()).as("tasks on the session pool").isZero();
      assertThat(sub.sink.executor.pending()).as("hand-over tasks on the sink's executor").isEqualTo(1);
      one.settle();
      assertThat(sub.sink.payloads()).containsExactly("m0", "m1");
    } finally {
      one.close();
    }
  }

  @Test
  void a_publish_to_several_sessions_leaves_each_sessions_queue_work_to_its_executor() {
    Device s1 = f.open("s1", clean()).subscribe("t/#", 0);
    Device s2 = f.open("s2", clean()).subscribe("t/#", 0);
    Device pub = f.open("pub", clean());
    publishWithoutSettling(pub, "t/x", "m0", 0);
    assertThat(s1.sink.executor.pending() + s2.sink.executor.pending()).as("nothing handed over before the pool ran")
        .isZero();
    f.settle();
    assertThat(s1.sink.payloads()).containsExactly("m0");
    assertThat(s2.sink.payloads()).containsExactly("m0");
  }

  @Test
  void a_subscribe_answered_after_a_burst_completes_after_the_bursts_deliveries() {
    Device sub = f.open("sub", clean()).subscribe("t/#", 0);
    Device pub = f.open("pub", clean());
    for (int i = 0; i < 3; i++) {
      publishWithoutSettling(pub, "t/x", "m" + i, 0);
    }
    int[] deliveredWhenAnswered = {-1};
    CompletableFuture<?> subscribed = sub.session.subscribe(List.of(Subscription.of("u/#", 0))).toCompletableFuture()
        .whenComplete((r, e) -> deliveredWhenAnswered[0] = sub.sink.delivered.size());
    f.settle();
    assertThat(subscribed).isCompleted();
    assertThat(deliveredWhenAnswered[0]).as("deliveries the sink had when the SUBACK's stage completed").isEqualTo(3);
  }
}
