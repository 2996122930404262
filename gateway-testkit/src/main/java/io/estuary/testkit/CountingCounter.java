package io.estuary.testkit;

import io.estuary.api.Metrics;
import java.util.concurrent.atomic.DoubleAdder;

/** A {@link Metrics.Counter} that only counts, for unit tests of what a component counts. Thread-safe. */
public final class CountingCounter implements Metrics.Counter {
  private final DoubleAdder n = new DoubleAdder();

  @Override
  public void increment() {
    n.add(1);
  }

  @Override
  public void increment(long amount) {
    n.add(amount);
  }

  @Override
  public double count() {
    return n.sum();
  }
}
