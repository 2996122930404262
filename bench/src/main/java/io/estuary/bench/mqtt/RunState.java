package io.estuary.bench.mqtt;

/**
 * The run's phase, set by the main thread and read by every client on every message.
 */
public final class RunState {

  /** The phases of a run, in order. */
  public enum Phase {
    /** Publishing, nothing recorded but counts. */
    WARMUP,
    /** Publishing; received messages count towards throughput and latency. */
    MEASURE,
    /** Publishers stopped; waiting for messages still on their way. */
    DRAIN
  }

  private volatile Phase phase = Phase.WARMUP;

  /** Moves to the next phase; phases never go back. */
  public void enter(Phase next) {
    if (next.ordinal() < phase.ordinal()) {
      throw new IllegalStateException("cannot go back from " + phase + " to " + next);
    }
    phase = next;
  }

  /** Whether the measured window is open. */
  public boolean measuring() {
    return phase == Phase.MEASURE;
  }

  /** Whether publishers should keep publishing. */
  public boolean publishing() {
    return phase != Phase.DRAIN;
  }
}
