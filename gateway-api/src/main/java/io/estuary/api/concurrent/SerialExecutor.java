package io.estuary.api.concurrent;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs submitted tasks one at a time, in submission order, on a shared pool (an actor mailbox,
 * Artemis's {@code OrderedExecutor}). All of one session's (or one device's) mutable state is touched
 * only from tasks of its SerialExecutor. A burst is run in one go up to {@link #BATCH} tasks, then the
 * executor yields the pool thread to others. {@link #execute} may be called from any thread.
 *
 * <p>A task that throws is logged ({@link System.Logger} {@code io.estuary.api.concurrent.SerialExecutor},
 * ERROR) and the next task runs: one bad task never stalls the mailbox.
 */
public final class SerialExecutor implements Executor {
  private static final System.Logger LOG = System.getLogger(SerialExecutor.class.getName());
  static final int BATCH = 256;

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
      throw new IllegalStateException("state touched outside its executor by " + Thread.currentThread().getName());
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
          LOG.log(System.Logger.Level.ERROR, "serial executor task failed", e);
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
