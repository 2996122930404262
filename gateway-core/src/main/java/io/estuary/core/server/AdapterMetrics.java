package io.estuary.core.server;

import io.estuary.api.Metrics;
import java.util.function.Supplier;

/** An adapter's view of the gateway's metrics: every name gets the adapter's prefix. Thread-safe. */
final class AdapterMetrics implements Metrics {
  private final Metrics root;
  private final String prefix;

  AdapterMetrics(Metrics root, String prefix) {
    this.root = root;
    this.prefix = prefix;
  }

  @Override
  public Counter counter(String name, String... tags) {
    return root.counter(prefix + name, tags);
  }

  @Override
  public void gauge(String name, Supplier<Number> value, String... tags) {
    root.gauge(prefix + name, value, tags);
  }
}
