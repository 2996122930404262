package io.estuary.bench.flood;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * What the good clients did in one phase (warm-up, baseline, flood) and what the subscriber got of it. The
 * counters are written by the good clients' thread, the received set and latencies by the subscriber's
 * callback thread, all read by the main thread at the end: atomics, and the sets and the histogram under
 * this object's lock.
 */
final class Phase {
  final int id;
  final String name;
  final AtomicLong scheduled = new AtomicLong();
  final AtomicLong sent = new AtomicLong();
  final AtomicLong retransmits = new AtomicLong();
  final AtomicLong acked = new AtomicLong();
  final AtomicLong refused = new AtomicLong();
  final AtomicLong abandoned = new AtomicLong();
  final AtomicLong received = new AtomicLong();
  final AtomicLong duplicates = new AtomicLong();
  private final BitSet[] ackedSeqs;
  private final BitSet[] receivedSeqs;
  private final Histogram latency = new Histogram(3_600_000_000_000L, 3);
  /** The latencies received since the last {@link #intervalPercentileMillis}: how the tail moves through a phase. */
  private final Histogram interval = new Histogram(3_600_000_000_000L, 2);

  Phase(int id, String name, int clients) {
    this.id = id;
    this.name = name;
    ackedSeqs = new BitSet[clients];
    receivedSeqs = new BitSet[clients];
    for (int i = 0; i < clients; i++) {
      ackedSeqs[i] = new BitSet();
      receivedSeqs[i] = new BitSet();
    }
  }

  synchronized void acked(int client, int seq) {
    ackedSeqs[client].set(seq);
    acked.incrementAndGet();
  }

  /** The subscriber got message {@code seq} of {@code client}, {@code nanos} after it was due to be sent. */
  synchronized void received(int client, int seq, long nanos) {
    if (client < 0 || client >= receivedSeqs.length || seq < 0) {
      return;
    }
    if (receivedSeqs[client].get(seq)) {
      duplicates.incrementAndGet();
      return;
    }
    receivedSeqs[client].set(seq);
    received.incrementAndGet();
    long v = Math.max(0, Math.min(nanos, latency.getHighestTrackableValue()));
    latency.recordValue(v);
    interval.recordValue(v);
  }

  /** The percentile, in milliseconds, of what was received since the last call (NaN if nothing); starts anew. */
  synchronized double intervalPercentileMillis(double p) {
    double v = interval.getTotalCount() == 0 ? Double.NaN : interval.getValueAtPercentile(p) / 1e6;
    interval.reset();
    return v;
  }

  /** Acknowledged by the gateway (PUBACK accepted) and never received by the subscriber. */
  synchronized long lost() {
    long lost = 0;
    for (int i = 0; i < ackedSeqs.length; i++) {
      BitSet b = (BitSet) ackedSeqs[i].clone();
      b.andNot(receivedSeqs[i]);
      lost += b.cardinality();
    }
    return lost;
  }

  /** Latency percentile in milliseconds, NaN without samples. */
  synchronized double percentileMillis(double p) {
    return latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(p) / 1e6;
  }

  synchronized double maxMillis() {
    return latency.getTotalCount() == 0 ? Double.NaN : latency.getMaxValue() / 1e6;
  }
}
