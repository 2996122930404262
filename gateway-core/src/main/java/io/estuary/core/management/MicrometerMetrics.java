package io.estuary.core.management;

import io.estuary.api.Metrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Supplier;

/** {@link Metrics} on a Micrometer Prometheus registry; names get the {@code estuary.} prefix. Thread-safe. */
public final class MicrometerMetrics implements Metrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public Metrics.Counter counter(String name, String... tags) {
    io.micrometer.core.instrument.Counter c = io.micrometer.core.instrument.Counter.builder("estuary." + name).tags(tags).register(registry);
    return new Metrics.Counter() {
      @Override
      public void increment() {
        c.increment();
      }

      @Override
      public void increment(long amount) {
        c.increment(amount);
      }

      @Override
      public double count() {
        return c.count();
      }
    };
  }

  @Override
  public void gauge(String name, Supplier<Number> value, String... tags) {
    Gauge.builder("estuary." + name, value).tags(tags).register(registry);
  }
}
