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
 * <p>{@link #executeInline} runs a task on the calling thread when the executor is idle (nothing queued,
 * nothing running), then the tasks that task and others queued meanwhile, up to {@link #INLINE_BATCH}; what is
 * left goes to the pool. It saves the hand-over to a parked pool thread (a wake-up, and on a busy machine a
 * wait for a core) when work arrives one message at a time; when the executor is busy it is {@link #execute}.
 *
 * <p>A task that throws is logged ({@link System.Logger} {@code io.estuary.api.concurrent.SerialExecutor},
 * ERROR) and the next task runs: one bad task never stalls the mailbox.
 */
public final class SerialExecutor implements Executor {
  private static final System.Logger LOG = System.getLogger(SerialExecutor.class.getName());
  static final int BATCH = 256;
  /** Tasks an inline run takes on the caller's thread at most (its own first): it must not become the pool. */
  static final int INLINE_BATCH = 16;

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

  /**
   * Runs {@code task} at once on the calling thread if this executor is idle, else queues it as
   * {@link #execute} does. Either way it runs after every task whose {@code execute} returned before this
   * call, one at a time with the others, and {@link #inExecutor} is true inside it. For callers that may
   * do the executor's work themselves (it must not block them): the core routing a publish to one session.
   */
  public void executeInline(Runnable task) {
    if (!tasks.isEmpty() || !scheduled.compareAndSet(false, true)) {
      execute(task);
      return;
    }
    owner = Thread.currentThread();
    try {
      run(task);
      for (int i = 1; i < INLINE_BATCH; i++) {
        Runnable r = tasks.poll();
        if (r == null) {
          break;
        }
        run(r);
      }
    } finally {
      owner = null;
      scheduled.set(false);
      if (!tasks.isEmpty() && scheduled.compareAndSet(false, true)) {
        pool.execute(this::drain);
      }
    }
  }

  private static void run(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException | Error e) {
      LOG.log(System.Logger.Level.ERROR, "serial executor task failed", e);
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
