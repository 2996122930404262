package io.estuary.lwm2m.registration;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs tasks one at a time, in submission order, on a shared pool (Artemis's {@code OrderedExecutor}). */
public final class SerialExecutor implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);

  private final Executor pool;
  private final Queue<Runnable> tasks = new ArrayDeque<>();
  private boolean running;
  private volatile Thread owner;

  public SerialExecutor(Executor pool) {
    this.pool = pool;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (tasks) {
      tasks.add(task);
      if (running) {
        return;
      }
      running = true;
    }
    pool.execute(this::drain);
  }

  /** True on the thread currently running this executor's tasks. */
  public boolean inExecutor() {
    return owner == Thread.currentThread();
  }

  private void drain() {
    owner = Thread.currentThread();
    try {
      for (int i = 0; i < 64; i++) {
        Runnable next;
        synchronized (tasks) {
          next = tasks.poll();
          if (next == null) {
            running = false;
            return;
          }
        }
        try {
          next.run();
        } catch (RuntimeException e) {
          LOG.warn("LwM2M endpoint task failed", e);
        }
      }
    } finally {
      owner = null;
    }
    // yield the pool thread to other endpoints, then continue
    pool.execute(this::drain);
  }
}
