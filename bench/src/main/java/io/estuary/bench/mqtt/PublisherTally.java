package io.estuary.bench.mqtt;

/**
 * What one publisher sent. Written only by the publisher's event loop; read from any thread.
 */
public final class PublisherTally {

  private volatile long sent;
  private volatile long sentMeasured;
  private volatile long acked;
  private volatile long stalls;

  /** Counts one PUBLISH written, and whether the measured window was open. */
  public void onSent(boolean measuring) {
    sent++; // single writer: the publisher's event loop
    if (measuring) {
      sentMeasured++;
    }
  }

  /** Counts one PUBACK. */
  public void onAcked() {
    acked++;
  }

  /** Counts one end-to-end window written off after nothing moved in it for a while. */
  public void onStall() {
    stalls++;
  }

  /** PUBLISHes written so far. */
  public long sent() {
    return sent;
  }

  /** PUBACKs received so far. */
  public long acked() {
    return acked;
  }

  /** A copy of the counts. */
  public Snapshot snapshot() {
    return new Snapshot(sent, sentMeasured, acked, stalls);
  }

  /**
   * @param sent PUBLISHes written in any phase
   * @param sentMeasured those written while the window was open
   * @param acked PUBACKs received (QoS 1)
   * @param stalls end-to-end windows written off because nothing moved in them
   */
  public record Snapshot(long sent, long sentMeasured, long acked, long stalls) {}
}
