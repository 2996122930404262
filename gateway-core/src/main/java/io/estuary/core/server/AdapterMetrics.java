package io.estuary.core.server;

import io.estuary.api.Metrics;
import java.util.function.Supplier;

/**
 * An adapter's view of the gateway's metrics: every name gets the adapter's prefix, but for the
 * gateway-wide byte counters ({@link Metrics#BYTES_RECEIVED}, {@link Metrics#BYTES_SENT}), which keep
 * their name and are tagged with the adapter's protocol. Thread-safe.
 */
final class AdapterMetrics implements Metrics {
  private final Metrics root;
  private final String prefix;
  private final String protocol;

  AdapterMetrics(Metrics root, String prefix, String protocol) {
    this.root = root;
    this.prefix = prefix;
    this.protocol = protocol;
  }

  @Override
  public Counter counter(String name, String... tags) {
    if (name.equals(BYTES_RECEIVED) || name.equals(BYTES_SENT)) {
      return root.counter(name, withProtocol(tags));
    }
    return root.counter(prefix + name, tags);
  }

  private String[] withProtocol(String[] tags) {
    for (int i = 0; i + 1 < tags.length; i += 2) {
      if (tags[i].equals("protocol")) {
        return tags;
      }
    }
    String[] out = java.util.Arrays.copyOf(tags, tags.length + 2);
    out[tags.length] = "protocol";
    out[tags.length + 1] = protocol;
    return out;
  }

  @Override
  public void gauge(String name, Supplier<Number> value, String... tags) {
    root.gauge(prefix + name, value, tags);
  }

  @Override
  public void monotonic(String name, Supplier<Number> total, String... tags) {
    root.monotonic(prefix + name, total, tags);
  }

  @Override
  public Timer timer(String name, String... tags) {
    return root.timer(prefix + name, tags);
  }
}
