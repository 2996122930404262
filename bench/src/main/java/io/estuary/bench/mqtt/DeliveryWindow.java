package io.estuary.bench.mqtt;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How far one publisher's messages have got: for each subscriber that should receive them, the next
 * sequence number it expects. A publisher with an end-to-end window stays at most {@code window}
 * messages ahead of its slowest subscriber, so that "as fast as possible" measures what the broker
 * sustains instead of how deep it lets queues grow.
 *
 * <p>Each slot is written by one subscriber's event loop and read by the publisher's.
 */
public final class DeliveryWindow {

  private final AtomicLongArray next;

  /** @param receivers how many subscribers receive this publisher's messages */
  public DeliveryWindow(int receivers) {
    if (receivers < 1) {
      throw new IllegalArgumentException("receivers must be >= 1, got " + receivers);
    }
    this.next = new AtomicLongArray(receivers);
  }

  /** Subscriber {@code slot} has received sequence number {@code seq}. */
  public void delivered(int slot, long seq) {
    if (seq >= next.getPlain(slot)) {
      // a volatile write: the subscriber then reads the publisher's "blocked" flag, and the publisher
      // sets that flag before reading the slots; both orders must hold or a wake-up can be lost
      next.set(slot, seq + 1);
    }
  }

  /** Messages from sequence number 0 up to this one have reached every receiver (or been skipped). */
  public long slowest() {
    long min = Long.MAX_VALUE;
    for (int i = 0; i < next.length(); i++) {
      min = Math.min(min, next.get(i));
    }
    return min;
  }

  /**
   * For each publisher, the window of its receivers, and for each subscriber and publisher the slot
   * the subscriber writes. {@code slots[j][p]} is -1 where subscriber j does not receive publisher p.
   */
  public record Plan(DeliveryWindow[] windows, int[][] slots) {

    /** Lays out the windows for a topology. */
    public static Plan of(Topology topology, int publishers, int subscribers) {
      int[] receivers = new int[publishers];
      int[][] slots = new int[subscribers][publishers];
      List<int[]> sources = topology.sources(publishers, subscribers);
      for (int j = 0; j < subscribers; j++) {
        Arrays.fill(slots[j], -1);
        for (int p : sources.get(j)) {
          slots[j][p] = receivers[p]++;
        }
      }
      DeliveryWindow[] windows = new DeliveryWindow[publishers];
      for (int p = 0; p < publishers; p++) {
        windows[p] = new DeliveryWindow(Math.max(1, receivers[p]));
      }
      return new Plan(windows, slots);
    }
  }
}
