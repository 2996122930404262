package io.estuary.cf;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.elements.util.ExecutorsUtil;
import org.eclipse.californium.elements.util.ProtocolScheduledExecutorService;

/**
 * Californium's protocol-stage executor (given to {@code CoapServer.setExecutor}) that counts the tasks waiting to
 * run: every received datagram and every step of an exchange's serial executor is an {@link #execute}. The count is
 * what {@link DatagramBudget} bounds: while it is at {@code max_backlog} the listeners drop datagrams before
 * Californium allocates anything for them, so the backlog cannot grow without bound under a flood. Scheduled tasks
 * (retransmissions, sweeps) are not counted; Californium's background work (sweeps, health) runs on a secondary
 * scheduler of one thread, as Californium's own protocol executor does. Thread-safe.
 */
public final class BacklogExecutor implements ProtocolScheduledExecutorService {
  private final ScheduledThreadPoolExecutor delegate;
  private final ScheduledExecutorService background;
  private final AtomicInteger waiting = new AtomicInteger();

  public BacklogExecutor(int threads, ThreadFactory factory) {
    this(threads, factory, "cf-timer#");
  }

  private BacklogExecutor(int threads, ThreadFactory factory, String backgroundName) {
    this.delegate = new ScheduledThreadPoolExecutor(threads, factory);
    this.delegate.setRemoveOnCancelPolicy(true);
    this.background = ExecutorsUtil.newDefaultSecondaryScheduler(backgroundName);
  }

  /** With {@code threads} daemon threads named {@code prefix1}, {@code prefix2}, … */
  public static BacklogExecutor named(int threads, String prefix) {
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    return new BacklogExecutor(threads, r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }, prefix + "timer#");
  }

  @Override
  public ScheduledFuture<?> scheduleBackground(Runnable command, long delay, TimeUnit unit) {
    return background.schedule(command, delay, unit);
  }

  @Override
  public <V> ScheduledFuture<V> scheduleBackground(Callable<V> callable, long delay, TimeUnit unit) {
    return background.schedule(callable, delay, unit);
  }

  @Override
  public ScheduledFuture<?> scheduleBackgroundAtFixedRate(Runnable command, long initialDelay, long period,
      TimeUnit unit) {
    return background.scheduleAtFixedRate(command, initialDelay, period, unit);
  }

  @Override
  public ScheduledFuture<?> scheduleBackgroundWithFixedDelay(Runnable command, long initialDelay, long delay,
      TimeUnit unit) {
    return background.scheduleWithFixedDelay(command, initialDelay, delay, unit);
  }

  @Override
  public ScheduledExecutorService getBackgroundExecutor() {
    return background;
  }

  /** Tasks handed to {@link #execute} that have not started yet. */
  public int waiting() {
    return waiting.get();
  }

  @Override
  public void execute(Runnable task) {
    waiting.incrementAndGet();
    try {
      delegate.execute(() -> {
        waiting.decrementAndGet();
        task.run();
      });
    } catch (RejectedExecutionException e) {
      waiting.decrementAndGet();
      throw e;
    }
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return delegate.schedule(command, delay, unit);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return delegate.schedule(callable, delay, unit);
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
    return delegate.scheduleAtFixedRate(command, initialDelay, period, unit);
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return delegate.scheduleWithFixedDelay(command, initialDelay, delay, unit);
  }

  @Override
  public void shutdown() {
    delegate.shutdown();
    background.shutdown();
  }

  @Override
  public List<Runnable> shutdownNow() {
    background.shutdownNow();
    return delegate.shutdownNow();
  }

  @Override
  public boolean isShutdown() {
    return delegate.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return delegate.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return delegate.awaitTermination(timeout, unit);
  }

  @Override
  public <T> Future<T> submit(Callable<T> task) {
    return delegate.submit(task);
  }

  @Override
  public <T> Future<T> submit(Runnable task, T result) {
    return delegate.submit(task, result);
  }

  @Override
  public Future<?> submit(Runnable task) {
    return delegate.submit(task);
  }

  @Override
  public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
    return delegate.invokeAll(tasks);
  }

  @Override
  public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws InterruptedException {
    return delegate.invokeAll(tasks, timeout, unit);
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
    return delegate.invokeAny(tasks);
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    return delegate.invokeAny(tasks, timeout, unit);
  }
}
