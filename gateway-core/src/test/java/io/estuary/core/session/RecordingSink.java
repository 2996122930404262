package io.estuary.core.session;

import io.estuary.api.CloseReason;
import io.estuary.api.Delivery;
import io.estuary.api.DeliverySink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A sink that records what the broker hands it and whether each call ran on its executor. With a
 * {@link #capacity}, it holds each delivery (as a device link with a bounded buffer does) until the
 * test {@link #free}s it: its credits are the capacity minus what it holds.
 */
final class RecordingSink implements DeliverySink {
  final ManualExecutor executor = new ManualExecutor();
  final List<Delivery> delivered = new ArrayList<>();
  final List<CloseReason> closed = new ArrayList<>();
  /** Calls of deliver/sessionClosed that did not run on {@link #executor}. */
  final AtomicInteger offExecutorCalls = new AtomicInteger();
  /** Unbounded (Integer.MAX_VALUE) unless set. */
  volatile int capacity = Integer.MAX_VALUE;
  private final AtomicInteger held = new AtomicInteger();
  private int maxBatch;

  @Override
  public ManualExecutor executor() {
    return executor;
  }

  @Override
  public int credits() {
    return capacity == Integer.MAX_VALUE ? capacity : Math.max(0, capacity - held.get());
  }

  @Override
  public void deliver(Delivery d) {
    if (!executor.inTask()) {
      offExecutorCalls.incrementAndGet();
    }
    delivered.add(d);
    held.incrementAndGet();
  }

  @Override
  public void deliver(List<Delivery> deliveries) {
    maxBatch = Math.max(maxBatch, deliveries.size());
    DeliverySink.super.deliver(deliveries);
  }

  @Override
  public void sessionClosed(CloseReason reason) {
    if (!executor.inTask()) {
      offExecutorCalls.incrementAndGet();
    }
    closed.add(reason);
  }

  @Override
  public Map<String, Object> attributes() {
    return Map.of("sink", "recording");
  }

  /** Frees {@code n} held deliveries (the device took them); returns the credits now. */
  int free(int n) {
    held.addAndGet(-n);
    return credits();
  }

  /** The largest batch handed over in one {@link #deliver(List)} call. */
  int maxBatch() {
    return maxBatch;
  }

  /** Deliveries the sink holds (received and not freed). */
  int held() {
    return held.get();
  }

  List<String> topics() {
    return delivered.stream().map(d -> d.message().topic()).toList();
  }

  List<String> payloads() {
    return delivered.stream().map(d -> d.message().payload().asUtf8()).toList();
  }
}
