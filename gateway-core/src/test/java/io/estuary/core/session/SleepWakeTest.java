package io.estuary.core.session;

import static io.estuary.core.session.BrokerFixture.clean;
import static io.estuary.core.session.BrokerFixture.persistent;
import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.CloseReason;
import io.estuary.core.session.BrokerFixture.Device;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A sleeping device (MQTT-SN §6.14, LwM2M queue mode): the broker queues until it wakes. */
class SleepWakeTest {
  private final BrokerFixture f = new BrokerFixture();

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void a_sleeping_session_queues_and_wake_flushes_in_order_then_completes_once_all_is_acknowledged() {
    Device sleeper = f.open("sleeper", persistent()).subscribe("t/#", 1);
    sleeper.session.sleep();
    f.settle();
    assertThat(f.broker.sessionView("sleeper").state()).isEqualTo("asleep");
    Device pub = f.open("pub", clean());
    for (int i = 0; i < 3; i++) {
      f.publish(pub, "t/a", "m" + i, 1);
    }
    assertThat(sleeper.sink.delivered).isEmpty();
    CompletableFuture<Void> woken = sleeper.session.wake().toCompletableFuture();
    f.settle();
    assertThat(sleeper.sink.payloads()).containsExactly("m0", "m1", "m2");
    assertThat(woken).isNotDone();
    sleeper.sink.delivered.forEach(d -> sleeper.session.acknowledge(d.id()));
    f.settle();
    assertThat(woken).isCompleted();
  }

  @Test
  void wake_with_nothing_queued_completes_at_once() {
    Device sleeper = f.open("sleeper", clean());
    sleeper.session.sleep();
    CompletableFuture<Void> woken = sleeper.session.wake().toCompletableFuture();
    f.settle();
    assertThat(woken).isCompleted();
  }

  @Test
  void wake_fails_when_the_connection_ends_before_the_queue_drained() {
    Device sleeper = f.open("sleeper", persistent()).subscribe("t/#", 1);
    sleeper.session.sleep();
    Device pub = f.open("pub", clean());
    f.publish(pub, "t/a", "m", 1);
    CompletableFuture<Void> woken = sleeper.session.wake().toCompletableFuture();
    f.settle();
    sleeper.close(CloseReason.SLEEP_TIMEOUT);
    assertThat(woken).isCompletedExceptionally();
  }
}
