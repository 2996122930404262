package io.estuary.api;

import java.util.function.Supplier;

/**
 * Counters, gauges and latency timers. Names are dotted; tags are key/value pairs. The {@link GatewayContext#metrics()}
 * of an adapter puts its metric prefix in front ({@code counter("drops", "reason", r)} of the MQTT-SN
 * adapter is {@code mqttsn.drops}), so adapters name metrics relative to themselves. The gateway-wide
 * transport counters {@link #BYTES_RECEIVED} and {@link #BYTES_SENT} are the exception: every adapter
 * counts into the same names, tagged with its protocol, and $SYS reports their sum. Thread-safe; a
 * gauge's supplier is called on the scrape thread and must not block.
 */
public interface Metrics {
  /** Bytes read from devices' connections or datagrams, gateway-wide (tagged {@code protocol}). */
  String BYTES_RECEIVED = "bytes.received";
  /** Bytes written to devices, gateway-wide (tagged {@code protocol}). */
  String BYTES_SENT = "bytes.sent";

  Counter counter(String name, String... tags);

  void gauge(String name, Supplier<Number> value, String... tags);

  /**
   * A count kept elsewhere that only grows (batches written, errors seen), read from {@code total} at scrape
   * time: exposed as a counter ({@code _total}), not a gauge. The default falls back to a gauge.
   */
  default void monotonic(String name, Supplier<Number> total, String... tags) {
    gauge(name, total, tags);
  }

  /**
   * A latency distribution, exposed as a Prometheus histogram ({@code <name>_seconds_bucket}, {@code _sum},
   * {@code _count}). Get it once and keep it: recording must not allocate. The default records nothing.
   */
  default Timer timer(String name, String... tags) {
    return Timer.NONE;
  }

  /** Records durations. Thread-safe; {@link #record} does not allocate in the gateway's implementation. */
  interface Timer {
    /** Records nothing (metrics implementations without histograms). */
    Timer NONE = (amount, unit) -> { };

    void record(long amount, java.util.concurrent.TimeUnit unit);
  }

  /** A monotonically increasing count. Thread-safe. */
  interface Counter {
    void increment();

    void increment(long amount);

    double count();
  }
}
