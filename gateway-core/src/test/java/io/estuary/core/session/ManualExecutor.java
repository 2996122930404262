package io.estuary.core.session;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/**
 * A sink's executor that runs tasks only when the test says so, and knows whether the current code
 * runs inside one of its tasks (how the thread rules are asserted).
 */
final class ManualExecutor implements Executor {
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private boolean running;

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
  }

  /** Tasks handed over and not yet run. */
  int pending() {
    return tasks.size();
  }

  /** True while one of this executor's tasks runs. */
  boolean inTask() {
    return running;
  }

  /** Runs tasks until none are left, including those added meanwhile; true if any ran. */
  boolean runAll() {
    boolean any = false;
    for (Runnable r; (r = tasks.poll()) != null; ) {
      any = true;
      runOne(r);
    }
    return any;
  }

  /** Runs the oldest task only; false if there was none. */
  boolean runNext() {
    Runnable r = tasks.poll();
    if (r == null) {
      return false;
    }
    runOne(r);
    return true;
  }

  private void runOne(Runnable r) {
    boolean outer = running;
    running = true;
    try {
      r.run();
    } finally {
      running = outer;
    }
  }
}
