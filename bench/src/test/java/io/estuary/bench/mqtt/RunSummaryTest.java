package io.estuary.bench.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunSummaryTest {

  private static LoadConfig config(Topology topology, int qos, int publishers, int subscribers) {
    return new LoadConfig("127.0.0.1", 1883, publishers, subscribers, qos, 64, Duration.ofSeconds(10),
        Duration.ofSeconds(3), topology, 0, 100, 0, 1, Duration.ofSeconds(5));
  }

  @Test
  void subscriber_tally_tells_new_messages_from_duplicates_and_counts_gaps() {
    SubscriberTally tally = new SubscriberTally(2);
    tally.onMessage(0, 0, 1_000, false);
    tally.onMessage(0, 1, 1_000, true);
    tally.onMessage(0, 4, 1_000, true); // 2 and 3 skipped
    tally.onMessage(0, 3, 1_000, true); // late: counted as a duplicate, not new
    tally.onMessage(1, 0, 1_000, true);
    tally.onMessage(7, 0, 1_000, true); // no such publisher
    tally.onUnstamped();

    SubscriberTally.Snapshot s = tally.snapshot();
    assertThat(s.received()).isEqualTo(7);
    assertThat(s.unique()).isEqualTo(4);
    assertThat(s.duplicates()).isEqualTo(1);
    assertThat(s.gaps()).isEqualTo(2);
    assertThat(s.foreign()).isEqualTo(2);
    assertThat(s.measured()).isEqualTo(4);
    assertThat(s.latencyMicros().getTotalCount()).isEqualTo(4);
  }

  @Test
  void latency_is_recorded_in_micros_and_clamped_to_the_histogram_range() {
    SubscriberTally tally = new SubscriberTally(1);
    tally.onMessage(0, 0, -5_000, true); // a clock step cannot make a negative latency
    tally.onMessage(0, 1, 250_000, true);
    tally.onMessage(0, 2, Long.MAX_VALUE, true);

    SubscriberTally.Snapshot s = tally.snapshot();
    assertThat(s.latencyMicros().getMinValue()).isZero();
    assertThat(s.latencyMicros().getValueAtPercentile(50)).isEqualTo(250);
    assertThat(s.latencyMicros().getMaxValue())
        .isEqualTo(s.latencyMicros().highestEquivalentValue(SubscriberTally.MAX_LATENCY_MICROS));
  }

  @Test
  void summary_merges_subscriber_histograms_and_divides_by_the_window() {
    SubscriberTally a = new SubscriberTally(1);
    SubscriberTally b = new SubscriberTally(1);
    for (int i = 0; i < 100; i++) {
      a.onMessage(0, i, (i + 1) * 1_000L, true); // 1..100 µs
      b.onMessage(0, i, (i + 101) * 1_000L, true); // 101..200 µs
    }
    PublisherTally pub = new PublisherTally();
    for (int i = 0; i < 100; i++) {
      pub.onSent(true);
    }

    RunSummary s = RunSummary.of(config(Topology.FAN_OUT, 0, 1, 2), 2.0, List.of(pub.snapshot()),
        List.of(a.snapshot(), b.snapshot()));

    assertThat(s.measured()).isEqualTo(200);
    assertThat(s.receivedPerSecond()).isEqualTo(100.0);
    assertThat(s.sentPerSecond()).isEqualTo(50.0);
    assertThat(s.p50Micros()).isEqualTo(100);
    assertThat(s.p99Micros()).isEqualTo(198);
    assertThat(s.maxMicros()).isEqualTo(200);
    assertThat(s.meanMicros()).isCloseTo(100.5, within(1.0));
    assertThat(s.expected()).isEqualTo(200); // fan-out: each of 100 messages at both subscribers
    assertThat(s.lost()).isZero();
  }

  @Test
  void qos1_loss_counts_acknowledged_messages_that_never_arrived() {
    PublisherTally p0 = new PublisherTally();
    PublisherTally p1 = new PublisherTally();
    for (int i = 0; i < 10; i++) {
      p0.onSent(true);
      p0.onAcked();
      p1.onSent(true);
      p1.onAcked();
    }
    p1.onSent(true); // never acknowledged: the broker owes nothing for it
    SubscriberTally sub = new SubscriberTally(2);
    for (int i = 0; i < 10; i++) {
      sub.onMessage(0, i, 1_000, true);
    }
    for (int i = 0; i < 7; i++) {
      sub.onMessage(1, i, 1_000, true);
    }
    sub.onMessage(1, 3, 1_000, true); // a redelivery does not hide a loss

    RunSummary s = RunSummary.of(config(Topology.FAN_IN, 1, 2, 1), 1.0, List.of(p0.snapshot(), p1.snapshot()),
        List.of(sub.snapshot()));

    assertThat(s.expected()).isEqualTo(20);
    assertThat(s.lost()).isEqualTo(3);
    assertThat(s.duplicates()).isEqualTo(1);
    assertThat(s.qos1Loss()).isTrue();
  }

  @Test
  void pairs_expect_each_publisher_only_at_its_own_subscriber() {
    PublisherTally p0 = new PublisherTally();
    PublisherTally p1 = new PublisherTally();
    p0.onSent(false);
    p1.onSent(false);
    p1.onSent(false);
    SubscriberTally s0 = new SubscriberTally(2);
    SubscriberTally s1 = new SubscriberTally(2);
    s0.onMessage(0, 0, 1, false);
    s1.onMessage(1, 0, 1, false);

    RunSummary s = RunSummary.of(config(Topology.PAIRS, 0, 2, 2), 1.0, List.of(p0.snapshot(), p1.snapshot()),
        List.of(s0.snapshot(), s1.snapshot()));

    assertThat(s.expected()).isEqualTo(3);
    assertThat(s.lost()).isEqualTo(1);
    assertThat(s.qos1Loss()).isFalse(); // QoS 0 may drop
    assertThat(s.measured()).isZero();
    assertThat(s.p99Micros()).isZero();
  }

  @Test
  void summary_line_is_key_value_pairs_after_RESULT() {
    SubscriberTally sub = new SubscriberTally(1);
    sub.onMessage(0, 0, 42_000, true);
    PublisherTally pub = new PublisherTally();
    pub.onSent(true);

    String line = RunSummary.of(config(Topology.FAN_IN, 0, 1, 1), 1.0, List.of(pub.snapshot()),
        List.of(sub.snapshot())).summaryLine();

    assertThat(line).startsWith("RESULT ").doesNotContain("\n");
    assertThat(line.substring("RESULT ".length()).split(" ")).allMatch(kv -> kv.matches("[a-z0-9_]+=\\S+"));
    assertThat(line).contains(" topics=fan-in ", " qos=0 ", " msgs_s=1 ", " p50_us=42 ", " lost=0 ");
  }

  @Test
  void config_rejects_client_counts_that_do_not_fit_the_topology() {
    assertThatThrownBy(() -> config(Topology.FAN_IN, 0, 3, 2)).hasMessageContaining("fan-in has exactly 1 subscriber");
    assertThatThrownBy(() -> config(Topology.FAN_OUT, 0, 2, 3)).hasMessageContaining("fan-out has exactly 1 publisher");
    assertThatThrownBy(() -> config(Topology.PAIRS, 0, 2, 3)).hasMessageContaining("pairs needs as many");
    assertThatThrownBy(() -> config(Topology.FAN_IN, 2, 1, 1)).hasMessageContaining("qos must be 0 or 1");
  }

  @Test
  void topology_routes_fan_in_publishers_into_one_wildcard() {
    assertThat(Topology.FAN_IN.publishTopic("bench/x", 3)).isEqualTo("bench/x/fan-in/3");
    assertThat(Topology.FAN_IN.subscribeFilter("bench/x", 0)).isEqualTo("bench/x/fan-in/+");
    assertThat(Topology.PAIRS.sources(3, 3).get(2)).containsExactly(2);
    assertThat(Topology.fromLabel("FAN-OUT")).isEqualTo(Topology.FAN_OUT);
  }
}
