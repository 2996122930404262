package io.estuary.core.session;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs submitted tasks one at a time, in order, on a shared pool (an actor mailbox). All of one
 * session's mutable state is touched only from tasks of its SerialExecutor. A burst is run in one go
 * up to {@link #BATCH} tasks, then the executor yields the pool thread.
 */
public final class SerialExecutor implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);
  private static final int BATCH = 256;

  private final Executor pool;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile Thread owner;

  public SerialExecutor(Executor pool) {
    this.pool = pool;
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
    if (scheduled.compareAndSet(false, true)) {
      pool.execute(this::drain);
    }
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

  private void drain() {
    owner = Thread.currentThread();
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
      owner = null;
      scheduled.set(false);
      if (!tasks.isEmpty() && scheduled.compareAndSet(false, true)) {
        pool.execute(this::drain);
      }
    }
  }
}
