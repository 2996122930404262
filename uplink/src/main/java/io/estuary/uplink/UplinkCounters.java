package io.estuary.uplink;

import io.estuary.api.Metrics;
import io.estuary.api.Metrics.Counter;

/** One uplink's counters ({@code uplink.forwarded}, {@code uplink.received}, {@code uplink.dropped{reason}}). */
record UplinkCounters(Counter forwarded, Counter received, Counter droppedExcluded, Counter droppedRefused,
    Counter droppedLoop, Counter droppedLocal, Counter droppedInvalidTopic) {

  static UplinkCounters register(Metrics m, String uplink) {
    return new UplinkCounters(
        m.counter("forwarded", "uplink", uplink),
        m.counter("received", "uplink", uplink),
        dropped(m, uplink, "no_rule"),
        dropped(m, uplink, "refused_upstream"),
        dropped(m, uplink, "loop"),
        dropped(m, uplink, "refused_locally"),
        dropped(m, uplink, "invalid_topic"));
  }

  private static Counter dropped(Metrics m, String uplink, String reason) {
    return m.counter("dropped", "uplink", uplink, "reason", reason);
  }
}
