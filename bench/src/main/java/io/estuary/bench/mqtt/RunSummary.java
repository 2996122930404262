package io.estuary.bench.mqtt;

import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The aggregate of one run: throughput over the measured window, merged latency percentiles and the
 * loss count. Throughput is what the subscribers received in the window divided by its length.
 *
 * <p>Losses: every subscriber should receive every message of each of its publishers (at QoS 1 every
 * acknowledged one), so {@code expected} is that sum and {@code lost = expected - unique}. At QoS 0 a
 * broker may drop messages by design; the count is informative there.
 *
 * @param config the run's settings
 * @param seconds the measured window's real length
 * @param sent PUBLISHes written by all publishers in all phases
 * @param sentMeasured those written in the window
 * @param acked PUBACKs received by all publishers
 * @param received PUBLISHes received by all subscribers in all phases
 * @param measured those received in the window
 * @param expected messages the subscribers should have received in all phases
 * @param unique new messages received (not duplicates)
 * @param lost {@code expected - unique}, at least 0
 * @param duplicates messages received twice or out of order
 * @param foreign messages received without a valid stamp of this run
 * @param stalls times a publisher wrote its end-to-end window off because nothing moved in it
 * @param p50Micros median end-to-end latency in the window, µs
 * @param p99Micros 99th percentile, µs
 * @param p999Micros 99.9th percentile, µs
 * @param maxMicros largest, µs
 * @param meanMicros mean, µs
 */
public record RunSummary(
    LoadConfig config,
    double seconds,
    long sent,
    long sentMeasured,
    long acked,
    long received,
    long measured,
    long expected,
    long unique,
    long lost,
    long duplicates,
    long foreign,
    long stalls,
    long p50Micros,
    long p99Micros,
    long p999Micros,
    long maxMicros,
    double meanMicros) {

  /**
   * Aggregates the tallies of one run.
   *
   * @param publishers one snapshot per publisher, in index order
   * @param subscribers one snapshot per subscriber, in index order
   */
  public static RunSummary of(
      LoadConfig config,
      double seconds,
      List<PublisherTally.Snapshot> publishers,
      List<SubscriberTally.Snapshot> subscribers) {
    if (!(seconds > 0)) {
      throw new IllegalArgumentException("seconds must be > 0, got " + seconds);
    }
    if (publishers.size() != config.publishers() || subscribers.size() != config.subscribers()) {
      throw new IllegalArgumentException("expected " + config.publishers() + " publisher and "
          + config.subscribers() + " subscriber tallies, got " + publishers.size() + " and " + subscribers.size());
    }
    long sent = 0;
    long sentMeasured = 0;
    long acked = 0;
    long stalls = 0;
    for (PublisherTally.Snapshot p : publishers) {
      stalls += p.stalls();
      sent += p.sent();
      sentMeasured += p.sentMeasured();
      acked += p.acked();
    }
    List<int[]> sources = config.topology().sources(config.publishers(), config.subscribers());
    Histogram latency = new Histogram(1, SubscriberTally.MAX_LATENCY_MICROS, 2);
    long received = 0;
    long measured = 0;
    long expected = 0;
    long unique = 0;
    long duplicates = 0;
    long foreign = 0;
    for (int j = 0; j < subscribers.size(); j++) {
      SubscriberTally.Snapshot s = subscribers.get(j);
      received += s.received();
      measured += s.measured();
      unique += s.unique();
      duplicates += s.duplicates();
      foreign += s.foreign();
      latency.add(s.latencyMicros());
      for (int p : sources.get(j)) {
        PublisherTally.Snapshot pub = publishers.get(p);
        expected += config.qos() == 1 ? pub.acked() : pub.sent();
      }
    }
    boolean any = latency.getTotalCount() > 0;
    return new RunSummary(
        config,
        seconds,
        sent,
        sentMeasured,
        acked,
        received,
        measured,
        expected,
        unique,
        Math.max(0, expected - unique),
        duplicates,
        foreign,
        stalls,
        any ? latency.getValueAtPercentile(50) : 0,
        any ? latency.getValueAtPercentile(99) : 0,
        any ? latency.getValueAtPercentile(99.9) : 0,
        any ? latency.getMaxValue() : 0,
        any ? latency.getMean() : 0);
  }

  /** Messages received per second in the window, over all subscribers. */
  public double receivedPerSecond() {
    return measured / seconds;
  }

  /** Messages published per second in the window, over all publishers. */
  public double sentPerSecond() {
    return sentMeasured / seconds;
  }

  /** QoS 1 messages were lost: the broker acknowledged them but a subscriber never saw them. */
  public boolean qos1Loss() {
    return config.qos() == 1 && lost > 0;
  }

  /** One line of {@code key=value} pairs after the word {@code RESULT}, for scripts. */
  public String summaryLine() {
    return String.format(Locale.ROOT,
        "RESULT broker=%s:%d topics=%s qos=%d pubs=%d subs=%d size=%d rate=%d inflight=%d e2e_window=%d threads=%d sub_ack_rate=%d "
            + "seconds=%.3f sent=%d acked=%d received=%d expected=%d lost=%d dup=%d foreign=%d stalls=%d "
            + "pub_msgs_s=%.0f msgs_s=%.0f p50_us=%d p99_us=%d p999_us=%d max_us=%d mean_us=%.1f",
        config.host(), config.port(), config.topology().label(), config.qos(), config.publishers(),
        config.subscribers(), config.payloadSize(), config.rate(), config.inflight(), config.window(), config.threads(),
        config.subscriberAckRate(), seconds, sent, acked, received, expected, lost, duplicates, foreign, stalls,
        sentPerSecond(), receivedPerSecond(), p50Micros, p99Micros, p999Micros, maxMicros, meanMicros);
  }

  /** A few lines for people. */
  public String table() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "MQTT load  %s:%d  %s  QoS %d  %d pub -> %d sub  %d B  %s  %.1f s window%n",
        config.host(), config.port(), config.topology().label(), config.qos(), config.publishers(),
        config.subscribers(), config.payloadSize(),
        config.rate() == 0 ? "max rate" : config.rate() + " msg/s", seconds));
    if (config.window() > 0) {
      b.append(String.format(Locale.ROOT, "  %-10s publishers stay within %,d messages of their slowest subscriber%n",
          "e2e window", config.window()));
    }
    b.append(String.format(Locale.ROOT, "  %-10s %,14d total  %,12.0f msg/s%n", "published", sent, sentPerSecond()));
    b.append(String.format(Locale.ROOT, "  %-10s %,14d total  %,12.0f msg/s%n", "received", received, receivedPerSecond()));
    b.append(String.format(Locale.ROOT, "  %-10s p50 %,d us  p99 %,d us  p99.9 %,d us  max %,d us  mean %,.1f us%n",
        "latency", p50Micros, p99Micros, p999Micros, maxMicros, meanMicros));
    b.append(String.format(Locale.ROOT, "  %-10s expected %,d  lost %,d  duplicates %,d  foreign %,d%s%s%n",
        "delivery", expected, lost, duplicates, foreign,
        config.qos() == 1 ? String.format(Locale.ROOT, "  unacked %,d", sent - acked) : "",
        config.window() > 0 ? String.format(Locale.ROOT, "  window stalls %,d", stalls) : ""));
    return b.toString();
  }
}
