package io.estuary.api.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(4);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void tasks_run_one_at_a_time_in_submission_order_across_batches() {
    SerialExecutor ex = new SerialExecutor(pool);
    List<Integer> seen = new CopyOnWriteArrayList<>();
    AtomicInteger running = new AtomicInteger();
    int n = SerialExecutor.BATCH * 3 + 7;
    for (int i = 0; i < n; i++) {
      int k = i;
      ex.execute(() -> {
        assertThat(running.incrementAndGet()).isEqualTo(1);
        ex.assertOwner();
        seen.add(k);
        running.decrementAndGet();
      });
    }
    await().until(() -> seen.size() == n);
    assertThat(seen).isSorted();
  }

  @Test
  void a_failing_task_does_not_stop_the_next_and_ownership_is_checked() {
    SerialExecutor ex = new SerialExecutor(pool);
    List<String> seen = new CopyOnWriteArrayList<>();
    ex.execute(() -> {
      throw new IllegalStateException("planted");
    });
    ex.execute(() -> seen.add(ex.inExecutor() ? "inside" : "outside"));
    await().until(() -> seen.size() == 1);
    assertThat(seen).containsExactly("inside");
    assertThat(ex.inExecutor()).isFalse();
    assertThatThrownBy(ex::assertOwner).isInstanceOf(IllegalStateException.class);
  }
}
