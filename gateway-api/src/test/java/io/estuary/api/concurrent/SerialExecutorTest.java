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

  @Test
  void an_idle_executor_runs_an_inline_task_and_what_it_queues_on_the_callers_thread() {
    SerialExecutor ex = new SerialExecutor(pool);
    Thread caller = Thread.currentThread();
    List<String> seen = new CopyOnWriteArrayList<>();
    ex.executeInline(() -> {
      ex.assertOwner();
      seen.add("first on " + (Thread.currentThread() == caller ? "caller" : "pool"));
      ex.execute(() -> seen.add("queued on " + (Thread.currentThread() == caller ? "caller" : "pool")));
    });
    assertThat(seen).containsExactly("first on caller", "queued on caller");
    assertThat(ex.inExecutor()).isFalse();
  }

  @Test
  void an_inline_task_waits_behind_a_busy_executor_and_keeps_the_order() throws Exception {
    SerialExecutor ex = new SerialExecutor(pool);
    Thread caller = Thread.currentThread();
    List<String> seen = new CopyOnWriteArrayList<>();
    java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    ex.execute(() -> {
      running.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      seen.add("busy");
    });
    running.await();
    ex.executeInline(() -> seen.add("inline on " + (Thread.currentThread() == caller ? "caller" : "pool")));
    assertThat(seen).isEmpty(); // queued, not run beside the busy task
    release.countDown();
    await().until(() -> seen.size() == 2);
    assertThat(seen).containsExactly("busy", "inline on pool");
  }

  @Test
  void an_inline_run_takes_a_bounded_number_of_tasks_and_leaves_the_rest_to_the_pool() {
    SerialExecutor ex = new SerialExecutor(pool);
    Thread caller = Thread.currentThread();
    List<Integer> seen = new CopyOnWriteArrayList<>();
    AtomicInteger onCaller = new AtomicInteger();
    int n = SerialExecutor.INLINE_BATCH * 4;
    ex.executeInline(() -> {
      for (int i = 0; i < n; i++) {
        int k = i;
        ex.execute(() -> {
          if (Thread.currentThread() == caller) {
            onCaller.incrementAndGet();
          }
          seen.add(k);
        });
      }
    });
    await().until(() -> seen.size() == n);
    assertThat(seen).isSorted();
    assertThat(onCaller.get()).isEqualTo(SerialExecutor.INLINE_BATCH - 1);
  }
}
