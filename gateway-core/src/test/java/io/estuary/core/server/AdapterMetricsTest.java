package io.estuary.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.core.management.MicrometerMetrics;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdapterMetricsTest {

  @Test
  void an_adapters_monotonic_count_is_a_prefixed_counter_not_a_gauge() {
    MicrometerMetrics root = new MicrometerMetrics();
    AtomicLong evicted = new AtomicLong(3);
    new AdapterMetrics(root, "mqttsn.", "mqttsn").monotonic("sources.evicted", evicted::get, "listener", "udp:default");
    for (int i = 0; i < 3; i++) {
      System.gc(); // the supplier (a fresh method reference) must outlive collections: Micrometer holds it weakly
    }
    String scrape = root.scrape();
    assertThat(scrape).contains("# TYPE estuary_mqttsn_sources_evicted_total counter")
        .contains("estuary_mqttsn_sources_evicted_total{listener=\"udp:default\"} 3.0");
  }
}
