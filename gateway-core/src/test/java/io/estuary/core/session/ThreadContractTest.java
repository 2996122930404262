package io.estuary.core.session;

import static io.estuary.core.session.BrokerFixture.clean;
import static io.estuary.core.session.BrokerFixture.message;
import static io.estuary.core.session.BrokerFixture.persistent;
import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.CloseReason;
import io.estuary.api.Subscription;
import io.estuary.api.TopicFilter;
import io.estuary.core.session.BrokerFixture.Device;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The SPI's thread rules: every stage a {@code BrokerSession} (or {@code openSession}) returns completes
 * inside a task of the sink's executor, also when the answer is known at once or is a failure; the
 * broker calls {@code deliver} and {@code sessionClosed} only there.
 */
class ThreadContractTest {
  private final BrokerFixture f = new BrokerFixture();
  private final List<String> offExecutor = new ArrayList<>();

  @AfterEach
  void close() {
    f.close();
  }

  /** Records {@code name} if the stage completes anywhere but inside a task of {@code d}'s sink executor. */
  private void expectOnSinkExecutor(Device d, String name, CompletionStage<?> stage) {
    stage.whenComplete((v, e) -> {
      if (!d.sink.executor.inTask()) {
        offExecutor.add(name);
      }
    });
  }

  @Test
  void every_stage_of_a_session_completes_on_the_sinks_executor() {
    Device d = f.open("dev", persistent());
    expectOnSinkExecutor(d, "publish qos0", d.session.publish(message("t/a", "x", 0)));
    expectOnSinkExecutor(d, "publish qos1", d.session.publish(message("t/a", "x", 1)));
    expectOnSinkExecutor(d, "publish qos2", d.session.publish(message("t/a", "x", 2)));
    expectOnSinkExecutor(d, "publish refused", d.session.publish(message("forbidden/a", "x", 1)));
    expectOnSinkExecutor(d, "publish once", d.session.publishOnce(1, message("t/a", "x", 2)));
    expectOnSinkExecutor(d, "publish once duplicate", d.session.publishOnce(1, message("t/a", "x", 2)));
    expectOnSinkExecutor(d, "subscribe", d.session.subscribe(List.of(Subscription.of("t/#", 1))));
    expectOnSinkExecutor(d, "unsubscribe", d.session.unsubscribe(List.of(new TopicFilter("t/#"))));
    d.session.sleep();
    expectOnSinkExecutor(d, "wake", d.session.wake());
    f.settle();
    assertThat(offExecutor).isEmpty();
  }

  @Test
  void stages_of_a_closed_session_fail_or_answer_on_the_sinks_executor() {
    Device d = f.open("dev", persistent());
    d.close(CloseReason.NORMAL);
    expectOnSinkExecutor(d, "publish", d.session.publish(message("t/a", "x", 1)));
    expectOnSinkExecutor(d, "publish qos0", d.session.publish(message("t/a", "x", 0)));
    expectOnSinkExecutor(d, "subscribe", d.session.subscribe(List.of(Subscription.of("t/#", 1))));
    expectOnSinkExecutor(d, "unsubscribe", d.session.unsubscribe(List.of(new TopicFilter("t/#"))));
    expectOnSinkExecutor(d, "wake", d.session.wake());
    f.settle();
    assertThat(offExecutor).isEmpty();
  }

  @Test
  void a_wake_that_fails_because_the_connection_ended_fails_on_the_sinks_executor() {
    Device d = f.open("dev", persistent()).subscribe("t/#", 1);
    d.session.sleep();
    Device pub = f.open("pub", clean());
    f.publish(pub, "t/a", "m", 1);
    expectOnSinkExecutor(d, "wake", d.session.wake());
    f.settle();
    d.session.close(CloseReason.SLEEP_TIMEOUT);
    f.settle();
    assertThat(offExecutor).isEmpty();
  }

  @Test
  void open_session_completes_on_the_sinks_executor_also_when_the_broker_is_shutting_down() {
    Device before = f.connect("before", clean().build());
    expectOnSinkExecutor(before, "open", before.opened);
    f.settle();
    f.broker.shutdown(Duration.ofSeconds(1));
    Device during = f.connect("during", clean().build());
    expectOnSinkExecutor(during, "open during shutdown", during.opened);
    f.settle();
    assertThat(during.opened.toCompletableFuture()).isCompletedExceptionally();
    assertThat(before.sink.closed).containsExactly(CloseReason.SERVER_SHUTDOWN);
    assertThat(offExecutor).isEmpty();
  }

  @Test
  void deliveries_and_session_closed_run_only_on_the_sinks_executor() {
    Device sub = f.open("sub", clean()).subscribe("t/#", 1);
    Device pub = f.open("pub", clean());
    f.publish(pub, "t/a", "x", 1);
    f.publish(pub, "t/a", "y", 0);
    f.open("sub", clean()); // take-over
    assertThat(sub.sink.delivered).hasSize(2);
    assertThat(sub.sink.closed).containsExactly(CloseReason.TAKEN_OVER);
    assertThat(sub.sink.offExecutorCalls).hasValue(0);
  }
}
