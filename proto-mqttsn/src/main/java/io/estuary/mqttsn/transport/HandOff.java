package io.estuary.mqttsn.transport;

import io.estuary.api.Metrics;
import io.estuary.api.limits.LogThrottle;
import io.estuary.mqttsn.codec.DecodeResult;
import java.net.InetSocketAddress;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener socket's way to the dispatcher (issue #13): the plain UDP listener socket — new clients, clients
 * without a connected socket of their own, and any flood — is read, filtered and decoded on a loop of its own
 * ({@code mqttsn-listener}); what survives is queued for the dispatcher's loop, which takes it in slices of at most
 * {@link #SLICE_NANOS} and polls its sockets between two slices. The established clients, read from their connected
 * sockets on the dispatcher's loop, thus wait behind at most one slice of the listener's work, never behind a whole
 * read batch of a flood or its reading, filtering and decoding.
 *
 * <p>Bounded: at most {@code maxQueued} decoded datagrams wait; more are dropped, counted ({@code
 * mqttsn.drops{reason=dispatch_backlog}}) and logged at most every 10 s. {@link #add} and {@link #flush} run on the
 * listener's loop; the slices on the dispatcher's.
 */
final class HandOff {
  private static final Logger DROPS = LoggerFactory.getLogger("io.estuary.mqttsn.drops");
  /** Decoded datagrams waiting for the dispatcher's loop, at most (about 1 MB of frames). */
  static final int MAX_QUEUED = 4096;
  /** The longest the dispatcher's loop works on the listener's datagrams before it polls its sockets again. */
  static final long SLICE_NANOS = TimeUnit.MICROSECONDS.toNanos(250);

  /** One decoded datagram of the listener socket. */
  record Item(InetSocketAddress from, DecodeResult result, int len, boolean connectAdmitted) {}

  private final String listener;
  private final Consumer<Item> sink;
  private final ScheduledExecutorService loop;
  private final int maxQueued;
  private final LongSupplier nanoTime;
  private final Queue<Item> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final Metrics.Counter shed;
  private final LogThrottle log = LogThrottle.every(10_000);
  private final Runnable slice = this::slice;

  /** {@code sink} runs on {@code loop} (the dispatcher's), one item at a time, in arrival order. */
  HandOff(String listener, Consumer<Item> sink, ScheduledExecutorService loop, int maxQueued, Metrics.Counter shed,
      LongSupplier nanoTime) {
    this.listener = listener;
    this.sink = sink;
    this.loop = loop;
    this.maxQueued = maxQueued;
    this.shed = shed;
    this.nanoTime = nanoTime;
  }

  /** One decoded datagram for the dispatcher (taken after the next {@link #flush}); dropped when too many wait. */
  void add(InetSocketAddress from, DecodeResult result, int len, boolean connectAdmitted) {
    if (queued.get() >= maxQueued) {
      shed.increment();
      long suppressed = log.admit();
      if (suppressed >= 0) {
        DROPS.warn("mqttsn {}: {} datagrams wait for the dispatcher, the listener socket's are dropped{}", listener,
            maxQueued, LogThrottle.suffix(suppressed));
      }
      return;
    }
    queued.incrementAndGet();
    queue.offer(new Item(from, result, len, connectAdmitted));
  }

  /** The end of a read: the dispatcher's loop is asked to take what waits, unless it is already at it. */
  void flush() {
    if (!queue.isEmpty() && draining.compareAndSet(false, true)) {
      try {
        loop.execute(slice);
      } catch (RejectedExecutionException e) {
        draining.set(false); // the adapter is stopping
      }
    }
  }

  /** On the dispatcher's loop: one slice of work; the rest waits for its next turn, after it polled its sockets. */
  private void slice() {
    long deadline = nanoTime.getAsLong() + SLICE_NANOS;
    int n = 0;
    Item item;
    while ((item = queue.poll()) != null) {
      queued.decrementAndGet();
      sink.accept(item);
      if ((++n & 7) == 0 && nanoTime.getAsLong() - deadline > 0) {
        break;
      }
    }
    if (queue.isEmpty()) {
      draining.set(false);
      if (queue.isEmpty() || !draining.compareAndSet(false, true)) {
        return; // nothing left, or the listener's next flush has scheduled a slice
      }
    }
    try {
      // a scheduled task runs on the loop's next turn, after its sockets are polled (an executed one would not)
      loop.schedule(slice, 0, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      draining.set(false);
    }
  }

  /** Decoded datagrams waiting for the dispatcher now. */
  int queued() {
    return queued.get();
  }
}
