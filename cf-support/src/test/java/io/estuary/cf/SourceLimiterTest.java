package io.estuary.cf;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.Metrics;
import io.estuary.api.limits.Rate;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class SourceLimiterTest {
  private static final class Count implements Metrics.Counter {
    double n;

    @Override
    public void increment() {
      n++;
    }

    @Override
    public void increment(long amount) {
      n += amount;
    }

    @Override
    public double count() {
      return n;
    }
  }

  private static InetSocketAddress at(String ip, int port) {
    return new InetSocketAddress(ip, port);
  }

  @Test
  void a_source_over_its_rate_is_dropped_whatever_port_it_sends_from_and_counted() {
    Count dropped = new Count();
    SourceLimiter l = new SourceLimiter("udp:test", Rate.parse("3/h"), 10, dropped);
    for (int port = 1; port <= 3; port++) {
      assertThat(l.admit(at("10.0.0.1", port))).isTrue();
    }
    assertThat(l.admit(at("10.0.0.1", 4))).isFalse();
    assertThat(l.admit(at("10.0.0.1", 1))).isFalse();
    assertThat(l.admit(at("10.0.0.2", 1))).as("another source has its own bucket").isTrue();
    assertThat(dropped.count()).isEqualTo(2.0);
  }

  @Test
  void the_table_of_sources_stays_at_max_sources_evicting_the_least_recently_seen() {
    SourceLimiter l = new SourceLimiter("udp:test", Rate.parse("1/h"), 2, new Count());
    assertThat(l.admit(at("10.0.0.1", 1))).isTrue();
    assertThat(l.admit(at("10.0.0.2", 1))).isTrue();
    assertThat(l.admit(at("10.0.0.3", 1))).isTrue();
    assertThat(l.size()).isEqualTo(2);
    assertThat(l.evictions()).isEqualTo(1);
    assertThat(l.admit(at("10.0.0.3", 2))).as("still remembered: over its rate").isFalse();
  }

  @Test
  void an_infinite_rate_admits_everything_and_keeps_no_table() {
    SourceLimiter l = new SourceLimiter("udp:test", Rate.INFINITY, 1, new Count());
    for (int i = 0; i < 1000; i++) {
      assertThat(l.admit(at("10.0.0." + (i % 250), i + 1))).isTrue();
    }
    assertThat(l.size()).isZero();
  }
}
