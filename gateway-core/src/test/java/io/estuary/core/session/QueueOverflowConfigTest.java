package io.estuary.core.session;

import static io.estuary.core.session.BrokerFixture.clean;
import static io.estuary.core.session.BrokerFixture.persistent;
import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.CloseReason;
import io.estuary.api.PublishOutcome;
import io.estuary.api.QueuePolicy;
import io.estuary.core.session.BrokerFixture.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code mqtt.mqueue_overflow}: the overflow every session that takes the broker's queue policy gets. */
class QueueOverflowConfigTest {
  private BrokerFixture f;

  @AfterEach
  void close() {
    f.close();
  }

  private void offlineSubscriber() {
    Device sub = f.open("sub", persistent());
    sub.subscribe("t/#", 1);
    sub.close(CloseReason.NORMAL);
  }

  private List<CompletableFuture<PublishOutcome>> publishFive() {
    Device pub = f.open("pub", clean());
    List<CompletableFuture<PublishOutcome>> stages = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      stages.add(pub.session.publish(BrokerFixture.message("t/a", "m" + i, 1)).toCompletableFuture());
    }
    f.settle();
    return stages;
  }

  @Test
  void by_default_a_full_queue_drops_its_oldest_message() {
    f = new BrokerFixture("mqtt.max_mqueue_len = 2");
    offlineSubscriber();
    assertThat(publishFive()).allMatch(CompletableFuture::isDone);
    assertThat(f.dropped("queue_full")).isEqualTo(3);
    assertThat(f.open("sub", persistent()).sink.payloads()).containsExactly("m3", "m4");
  }

  @Test
  void drop_newest_keeps_the_first_messages() {
    f = new BrokerFixture("mqtt { max_mqueue_len = 2, mqueue_overflow = drop_newest }");
    offlineSubscriber();
    assertThat(publishFive()).allMatch(CompletableFuture::isDone);
    assertThat(f.dropped("queue_full")).isEqualTo(3);
    assertThat(f.open("sub", persistent()).sink.payloads()).containsExactly("m0", "m1");
  }

  @Test
  void backpressure_holds_the_publishers_acknowledgement_and_drops_nothing() {
    f = new BrokerFixture("mqtt { max_mqueue_len = 2, mqueue_overflow = backpressure }");
    offlineSubscriber();
    List<CompletableFuture<PublishOutcome>> stages = publishFive();
    assertThat(stages.subList(0, 2)).allMatch(CompletableFuture::isDone);
    assertThat(stages.subList(2, 5)).noneMatch(CompletableFuture::isDone);
    assertThat(f.dropped("queue_full")).isZero();
    Device sub = f.open("sub", persistent());
    for (int acked = 0; acked < 5; acked++) {
      f.settle();
      sub.acknowledge(sub.sink.delivered.get(acked));
    }
    f.settle();
    assertThat(sub.sink.payloads()).containsExactly("m0", "m1", "m2", "m3", "m4");
    assertThat(stages).allMatch(s -> s.isDone() && s.join().accepted());
  }

  @Test
  void a_session_restored_from_the_store_holds_publishers_before_its_client_returns() {
    f = new BrokerFixture("mqtt { max_mqueue_len = 2, mqueue_overflow = backpressure }");
    offlineSubscriber();
    f = f.restart("mqtt { max_mqueue_len = 2, mqueue_overflow = backpressure }");
    List<CompletableFuture<PublishOutcome>> stages = publishFive();
    assertThat(stages.subList(0, 2)).allMatch(CompletableFuture::isDone);
    assertThat(stages.subList(2, 5)).noneMatch(CompletableFuture::isDone);
    assertThat(f.dropped("queue_full")).isZero();
  }

  @Test
  void an_adapters_own_overflow_wins_over_the_brokers() {
    f = new BrokerFixture("mqtt { max_mqueue_len = 2, mqueue_overflow = backpressure }");
    Device sub = f.open("sub", persistent().queue(QueuePolicy.BROKER_DEFAULT.withOverflow(QueuePolicy.Overflow.DROP_NEWEST)));
    sub.subscribe("t/#", 1);
    sub.close(CloseReason.NORMAL);
    assertThat(publishFive()).allMatch(CompletableFuture::isDone);
    assertThat(f.dropped("queue_full")).isEqualTo(3);
  }
}
