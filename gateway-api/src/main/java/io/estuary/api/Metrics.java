package io.estuary.api;

import java.util.function.Supplier;

/**
 * Counters and gauges. Names are dotted; tags are key/value pairs. The {@link GatewayContext#metrics()}
 * of an adapter puts its metric prefix in front ({@code counter("drops", "reason", r)} of the MQTT-SN
 * adapter is {@code mqttsn.drops}), so adapters name metrics relative to themselves. Thread-safe; a
 * gauge's supplier is called on the scrape thread and must not block.
 */
public interface Metrics {

  Counter counter(String name, String... tags);

  void gauge(String name, Supplier<Number> value, String... tags);

  /** A monotonically increasing count. Thread-safe. */
  interface Counter {
    void increment();

    void increment(long amount);

    double count();
  }
}
