package io.estuary.core.session;

import io.estuary.api.ClientInfo;
import io.estuary.api.Delivery;
import io.estuary.api.DeliverySink;
import io.estuary.api.Message;
import io.estuary.api.SessionOptions;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One connection attached to a session, with its sink. Handles compare against the session's current
 * connection, so a stale handle's calls are ignored. Counts the deliveries handed to the sink's executor
 * that have not run yet ({@link #outstanding}), so that they never exceed the sink's credits
 * ({@link DeliverySink#credits()} counts only what the sink already received).
 *
 * <p>Threads: {@link #will} is the session executor's; {@link #closed} is written there and read on the
 * sink's executor; the outstanding count is updated from both.
 */
final class Connection {
  final DeliverySink sink;
  final ClientInfo client;
  final SessionOptions options;
  final long connectedAt;
  volatile boolean closed;
  /** Publish → delivery latency of this subscriber's protocol (set on the first drain; session executor only). */
  io.estuary.api.Metrics.Timer latency;
  /** The current will (session executor only); {@code options.will()} until the adapter updates it. */
  Message will;
  /** Deliveries handed to the sink's executor whose task has not finished. */
  private final AtomicInteger outstanding = new AtomicInteger();
  /** Set when a drain stopped for want of room while deliveries were outstanding: their task resumes it. */
  private final AtomicBoolean stalled = new AtomicBoolean();
  /** Hops to the session's executor and drains its queue again. */
  private final Runnable resume;

  Connection(DeliverySink sink, ClientInfo client, SessionOptions options, long connectedAt, Runnable resume) {
    this.sink = sink;
    this.client = client;
    this.options = options;
    this.connectedAt = connectedAt;
    this.will = options.will();
    this.resume = resume;
  }

  /** How many more deliveries may be handed over now: the sink's credits minus what is outstanding. */
  int room() {
    long r = (long) sink.credits() - outstanding.get();
    return r <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, r);
  }

  /**
   * A drain ran out of room: marks the connection stalled, so that the next hand-over task to finish
   * resumes the drain, then looks once more (the task may have finished meanwhile). Returns the room now.
   */
  int stall() {
    stalled.set(true);
    int r = room();
    if (r > 0) {
      stalled.set(false);
    }
    return r;
  }

  /** Counts one delivery as outstanding before it joins a batch for {@link #hand}. */
  void reserve() {
    outstanding.incrementAndGet();
  }

  /** Hands a drain's deliveries (each {@link #reserve reserved}) to the sink's executor in one task. */
  void hand(List<Delivery> batch) {
    int n = batch.size();
    sink.executor().execute(() -> {
      try {
        if (!closed) {
          if (n == 1) {
            sink.deliver(batch.get(0));
          } else {
            sink.deliver(batch);
          }
        }
      } finally {
        ran(n);
      }
    });
  }

  /** Hands one delivery outside a drain (a redelivery when the session resumes). */
  void handOne(Delivery d) {
    reserve();
    hand(List.of(d));
  }

  private void ran(int n) {
    outstanding.addAndGet(-n);
    if (stalled.get() && stalled.compareAndSet(true, false)) {
      resume.run();
    }
  }

  /** Runs {@code task} on the sink's executor (stage completions, sessionClosed). */
  void onSink(Runnable task) {
    sink.executor().execute(task);
  }
}
