package io.estuary.core.management;

import io.estuary.api.Metrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@link Metrics} on a Micrometer Prometheus registry; names get the {@code estuary.} prefix, counters
 * come out as {@code estuary_<name>_total}. Every meter carries HELP text ({@link MetricHelp}); the JVM,
 * GC, thread, class loader, CPU, uptime and file descriptor binders are registered at construction, and
 * {@code estuary_build_info{version, java}} is always 1. Thread-safe.
 */
public final class MicrometerMetrics implements Metrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final java.util.concurrent.CompletableFuture<Void> jvmBinders = new java.util.concurrent.CompletableFuture<>();

  public MicrometerMetrics() {
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        if (id.getDescription() != null && !id.getDescription().isBlank()) {
          return id;
        }
        return new Meter.Id(id.getName(), io.micrometer.core.instrument.Tags.of(id.getTagsAsIterable()), id.getBaseUnit(),
            MetricHelp.of(id.getName()), id.getType());
      }
    });
    // the binders load the JDK's management classes (a few hundred, ~0.1 s): on their own thread while the store
    // opens and the adapters start (issue #19: start-up); scrape(), registry() and close() wait for them
    Thread t = new Thread(() -> {
      try {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        jvmBinders.complete(null);
      } catch (RuntimeException | Error e) {
        jvmBinders.completeExceptionally(e);
      }
    }, "estuary-jvm-metrics");
    t.setDaemon(true);
    t.start();
    Gauge.builder("estuary.build.info", () -> 1).description("Estuary's version and the Java runtime it runs on (always 1)")
        .tags("version", SysTopics.VERSION, "java", String.valueOf(Runtime.version().feature())).register(registry);
  }

  public PrometheusMeterRegistry registry() {
    jvmBinders.join();
    return registry;
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    jvmBinders.join();
    return registry.scrape();
  }

  /**
   * The counters named {@code estuary.<name>} summed over their tags, by {@code <name>} (for the EMQX-shaped
   * {@code /api/v5/metrics}).
   */
  public Map<String, Double> counterTotals() {
    Map<String, Double> out = new java.util.TreeMap<>();
    for (Meter m : registry.getMeters()) {
      if (m instanceof io.micrometer.core.instrument.Counter c && m.getId().getName().startsWith("estuary.")) {
        out.merge(m.getId().getName().substring("estuary.".length()), c.count(), Double::sum);
      }
    }
    return out;
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

  @Override
  public void monotonic(String name, Supplier<Number> total, String... tags) {
    // a FunctionCounter holds its object weakly (and its builder has no strongReference): without this list a
    // method-reference supplier is collected and the counter reads NaN from then on
    monotonicSources.add(total);
    io.micrometer.core.instrument.FunctionCounter.builder("estuary." + name, total, t -> t.get().doubleValue())
        .tags(tags).register(registry);
  }

  /** The suppliers of {@link #monotonic} counters, kept for as long as the registry. */
  private final java.util.Queue<Supplier<Number>> monotonicSources = new java.util.concurrent.ConcurrentLinkedQueue<>();

  /**
   * A Micrometer timer with a Prometheus histogram (buckets 0.5 ms to 10 s, so {@code histogram_quantile}
   * works in Grafana); {@link Metrics.Timer#record} delegates without allocating.
   */
  @Override
  public Metrics.Timer timer(String name, String... tags) {
    io.micrometer.core.instrument.Timer t = io.micrometer.core.instrument.Timer.builder("estuary." + name).tags(tags)
        .publishPercentileHistogram()
        .minimumExpectedValue(java.time.Duration.ofNanos(500_000))
        .maximumExpectedValue(java.time.Duration.ofSeconds(10))
        .register(registry);
    return t::record;
  }

  /** Stops the GC notification listener. */
  public void close() {
    try {
      jvmBinders.join(); // bound before it is closed, never after
    } catch (RuntimeException ignored) {
      // a binder failed; gc's listeners are all there is to close
    }
    gc.close();
  }
}
