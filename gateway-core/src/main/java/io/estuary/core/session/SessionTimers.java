package io.estuary.core.session;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The session core's timers (will delay, session expiry, queue age). A task runs on the timer's own
 * thread and must only hand work to a session's executor. Injected so that unit tests drive time by
 * hand instead of sleeping.
 */
interface SessionTimers {

  /** Runs {@code task} once after {@code delayMillis}; the returned handle cancels it if it has not run. */
  Timer schedule(Runnable task, long delayMillis);

  /** A scheduled task that can be cancelled. */
  interface Timer {
    void cancel();
  }

  /** Timers on a scheduled executor (production). */
  static SessionTimers on(ScheduledExecutorService scheduler) {
    return (task, delayMillis) -> {
      ScheduledFuture<?> f = scheduler.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
      return () -> f.cancel(false);
    };
  }
}
