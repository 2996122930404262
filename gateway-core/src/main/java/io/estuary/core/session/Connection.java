package io.estuary.core.session;

import io.estuary.api.ClientInfo;
import io.estuary.api.Delivery;
import io.estuary.api.DeliverySink;
import io.estuary.api.Message;
import io.estuary.api.SessionOptions;
import io.estuary.api.concurrent.SerialExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One connection attached to a session, with its sink. Handles compare against the session's current
 * connection, so a stale handle's calls are ignored. Counts the deliveries handed to the sink's executor
 * that have not run yet ({@link #outstanding}), so that they never exceed the sink's credits
 * ({@link DeliverySink#credits()} counts only what the sink already received).
 *
 * <p>Deliveries are handed over in batches: {@link #hand} collects them on the session's executor and one
 * task of that executor, queued behind the tasks already waiting there (a burst of publishes from several
 * publishers), hands them all to the sink's executor in one task; drains that acknowledgements or returning
 * credits start hand over at once ({@link #handNow}). So a busy session costs its sink one
 * task, one wake-up and one flush per burst instead of one per message. Anything else the session's
 * executor sends to the sink ({@link #onSink}) first hands over what is collected, so the sink sees
 * everything in the order the session produced it.
 *
 * <p>Threads: {@link #will} and the collected batch are the session executor's; {@link #closed} is written
 * there and read on the sink's executor; the outstanding count is updated from both.
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
  /** The session's executor: where {@link #pending} is collected and handed over. */
  private final SerialExecutor actor;
  /** Deliveries collected for the next hand-over (session executor only); null when none. */
  private List<Delivery> pending;
  private final Runnable handPending = this::handPending;

  Connection(DeliverySink sink, ClientInfo client, SessionOptions options, long connectedAt, SerialExecutor actor,
      Runnable resume) {
    this.sink = sink;
    this.client = client;
    this.options = options;
    this.connectedAt = connectedAt;
    this.will = options.will();
    this.actor = actor;
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

  /**
   * Adds a drain's deliveries (each {@link #reserve reserved}) to the batch for the sink; the first
   * delivery of a batch queues its hand-over task on the session's executor. Session executor only.
   */
  void hand(List<Delivery> batch) {
    if (pending == null) {
      pending = batch instanceof ArrayList<Delivery> ? batch : new ArrayList<>(batch);
      actor.execute(handPending);
    } else {
      pending.addAll(batch);
    }
  }

  /** Hands one delivery outside a drain (a redelivery when the session resumes). Session executor only. */
  void handOne(Delivery d) {
    reserve();
    List<Delivery> one = new ArrayList<>(4);
    one.add(d);
    hand(one);
  }

  /**
   * Hands what is collected over now instead of behind the tasks waiting on the session's executor: for
   * the drains that acknowledgements and returning credits start, whose deliveries a client waits for
   * (QoS 1/2 through a full inflight window: their round trip bounds the throughput). Session executor only.
   */
  void handNow() {
    handPending();
  }

  /** Hands the collected deliveries to the sink's executor in one task (session executor only). */
  private void handPending() {
    List<Delivery> batch = pending;
    if (batch == null) {
      return;
    }
    pending = null;
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

  private void ran(int n) {
    outstanding.addAndGet(-n);
    if (stalled.get() && stalled.compareAndSet(true, false)) {
      resume.run();
    }
  }

  /**
   * Runs {@code task} on the sink's executor (stage completions, sessionClosed). Called on the session's
   * executor, the deliveries collected so far are handed over first, so the task runs after them; from any
   * other thread (a publish's reply) it is ordered only after what was handed over already.
   */
  void onSink(Runnable task) {
    if (actor.inExecutor() && pending != null) {
      handPending();
    }
    sink.executor().execute(task);
  }
}
