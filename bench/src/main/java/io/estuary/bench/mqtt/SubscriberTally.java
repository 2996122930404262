package io.estuary.bench.mqtt;

import org.HdrHistogram.Histogram;

/**
 * What one subscriber received: counts, end-to-end latency and, per publisher, the next sequence number
 * it expects, which tells new messages from duplicates and shows gaps as they happen.
 *
 * <p>Written only by the subscriber's event loop; {@link #received()} may be polled from any thread,
 * {@link #snapshot()} is taken on the event loop (or after it stopped).
 */
public final class SubscriberTally {

  /** Latencies above this (in µs) are recorded as this: a minute is beyond any sane run. */
  static final long MAX_LATENCY_MICROS = 60_000_000L;

  private final Histogram latencyMicros = new Histogram(1, MAX_LATENCY_MICROS, 2);
  private final long[] nextSeq;
  private volatile long received;
  private long measured;
  private long unique;
  private long duplicates;
  private long gaps;
  private long foreign;

  /** @param publishers how many publishers the run has; messages name them by index */
  public SubscriberTally(int publishers) {
    if (publishers < 1) {
      throw new IllegalArgumentException("publishers must be >= 1, got " + publishers);
    }
    this.nextSeq = new long[publishers];
  }

  /**
   * Counts one message.
   *
   * @param publisher index of the publisher that stamped it
   * @param seq that publisher's sequence number, from 0
   * @param latencyNanos receive time minus send time
   * @param measuring whether the measured window is open
   */
  public void onMessage(int publisher, long seq, long latencyNanos, boolean measuring) {
    received++;
    if (publisher < 0 || publisher >= nextSeq.length || seq < 0) {
      foreign++;
      return;
    }
    long next = nextSeq[publisher];
    if (seq >= next) {
      unique++;
      gaps += seq - next;
      nextSeq[publisher] = seq + 1;
    } else {
      duplicates++;
    }
    if (measuring) {
      measured++;
      latencyMicros.recordValue(Math.min(MAX_LATENCY_MICROS, Math.max(0, latencyNanos / 1_000)));
    }
  }

  /** Counts a PUBLISH too short to carry a stamp. */
  public void onUnstamped() {
    received++;
    foreign++;
  }

  /** Every PUBLISH received so far, in any phase. */
  public long received() {
    return received;
  }

  /** A copy of the counts and the histogram. */
  public Snapshot snapshot() {
    return new Snapshot(received, measured, unique, duplicates, gaps, foreign, latencyMicros.copy());
  }

  /**
   * @param received every PUBLISH received
   * @param measured those received while the window was open (their latency is in the histogram)
   * @param unique new messages: sequence number at or past the one expected from their publisher
   * @param duplicates messages at a sequence number already seen (redelivery or reordering)
   * @param gaps sequence numbers skipped over when a later one arrived
   * @param foreign messages without a valid stamp of this run
   * @param latencyMicros end-to-end latency of the measured messages, in µs
   */
  public record Snapshot(
      long received,
      long measured,
      long unique,
      long duplicates,
      long gaps,
      long foreign,
      Histogram latencyMicros) {}
}
