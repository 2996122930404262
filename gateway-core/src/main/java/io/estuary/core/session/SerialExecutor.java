package io.estuary.core.session;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs submitted tasks one at a time, in order (an actor mailbox). All of one session's mutable state
 * is touched only from tasks of its SerialExecutor. The tasks run on a backing executor that may change
 * between bursts: the broker's worker pool while the session has no connection, the connection's own
 * executor (its Netty event loop) while it has one, so delivering needs no extra thread hop. A burst is
 * run in one go up to {@link #BATCH} tasks, then the executor yields the thread.
 */
public final class SerialExecutor implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);
  private static final int BATCH = 256;

  private final Executor pool;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile Executor backing;
  private volatile Thread owner;
  private Executor runningOn;

  public SerialExecutor(Executor pool) {
    this.pool = pool;
    this.backing = pool;
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
    if (scheduled.compareAndSet(false, true)) {
      submit();
    }
  }

  private void submit() {
    Executor target = backing;
    try {
      target.execute(() -> drain(target));
    } catch (RuntimeException rejected) {
      // the connection's executor is shutting down: finish on the pool
      pool.execute(() -> drain(pool));
    }
  }

  /** Runs later bursts on {@code executor}; null returns to the pool. Call from a task of this executor. */
  void runOn(Executor executor) {
    backing = executor == null ? pool : executor;
  }

  /** The executor the current burst runs on; only meaningful inside a task. */
  Executor runningOn() {
    return runningOn;
  }

  /** True when called from a task of this executor. */
  public boolean inExecutor() {
    return owner == Thread.currentThread();
  }

  /** Fails fast when state is touched from the wrong thread (cheap; Californium's assertOwner). */
  public void assertOwner() {
    if (owner != Thread.currentThread()) {
      throw new IllegalStateException("session state touched outside its executor by " + Thread.currentThread().getName());
    }
  }

  private void drain(Executor on) {
    owner = Thread.currentThread();
    runningOn = on;
    try {
      for (int i = 0; i < BATCH; i++) {
        Runnable r = tasks.poll();
        if (r == null) {
          break;
        }
        try {
          r.run();
        } catch (RuntimeException | Error e) {
          LOG.error("session task failed", e);
        }
      }
    } finally {
      runningOn = null;
      owner = null;
      scheduled.set(false);
      if (!tasks.isEmpty() && scheduled.compareAndSet(false, true)) {
        submit();
      }
    }
  }
}
