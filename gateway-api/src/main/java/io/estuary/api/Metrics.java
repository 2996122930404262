package io.estuary.api;

import java.util.function.Supplier;

/** Counters and gauges for adapters; names are dotted ("mqttsn.drops"), tags are key/value pairs. */
public interface Metrics {

  Counter counter(String name, String... tags);

  void gauge(String name, Supplier<Number> value, String... tags);

  /** A monotonically increasing count. */
  interface Counter {
    void increment();

    void increment(long amount);

    double count();
  }
}
