package io.estuary.api;

import java.time.Duration;
import java.util.Objects;

/**
 * How a session's queue is bounded: the messages the broker holds for a device that is offline, asleep,
 * out of credits or at its inflight window. A general capability — any adapter may cap the queue in
 * messages, bytes and age and pick what happens when a cap is reached (the uplink's forward buffer uses
 * all four; device adapters take {@link #BROKER_DEFAULT}).
 *
 * @param maxMessages cap in messages; 0 = the broker's {@code mqtt.max_mqueue_len}
 * @param maxBytes cap in bytes, counting payload + topic of each queued message; 0 = the broker's
 *     {@code mqtt.max_mqueue_bytes} (itself 0 = no byte cap)
 * @param maxAge queued messages older than this (since the broker accepted them) are dropped; zero = no
 *     age cap
 * @param overflow what happens to a message that does not fit under the caps
 */
public record QueuePolicy(int maxMessages, long maxBytes, Duration maxAge, Overflow overflow) {

  /**
   * The broker's caps ({@code mqtt.max_mqueue_len}, {@code mqtt.max_mqueue_bytes}), no age cap, the broker's
   * overflow ({@code mqtt.mqueue_overflow}, drop the oldest unless configured).
   */
  public static final QueuePolicy BROKER_DEFAULT = new QueuePolicy(0, 0, Duration.ZERO, Overflow.BROKER);

  /** What happens to a message that does not fit. */
  public enum Overflow {
    /** Drop the oldest queued message to make room (EMQX's mqueue). */
    DROP_OLDEST,
    /** Drop the new message. */
    DROP_NEWEST,
    /**
     * Queue the QoS 1/2 message beyond the caps but complete its publisher's publish stage (so the
     * PUBACK/PUBREC) only once the queue is back under the caps; QoS 0 messages, which cannot be held
     * back, are dropped. The overshoot is bounded by the publishers' inflight windows.
     */
    BACKPRESSURE,
    /** Whichever of the three the broker's {@code mqtt.mqueue_overflow} names (default {@link #DROP_OLDEST}). */
    BROKER
  }

  public QueuePolicy {
    if (maxMessages < 0) {
      throw new IllegalArgumentException("maxMessages must be >= 0, was " + maxMessages);
    }
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must be >= 0, was " + maxBytes);
    }
    Objects.requireNonNull(maxAge, "maxAge");
    if (maxAge.isNegative()) {
      throw new IllegalArgumentException("maxAge must be >= 0, was " + maxAge);
    }
    Objects.requireNonNull(overflow, "overflow");
  }

  public QueuePolicy withMaxMessages(int v) {
    return new QueuePolicy(v, maxBytes, maxAge, overflow);
  }

  public QueuePolicy withMaxBytes(long v) {
    return new QueuePolicy(maxMessages, v, maxAge, overflow);
  }

  public QueuePolicy withMaxAge(Duration v) {
    return new QueuePolicy(maxMessages, maxBytes, v, overflow);
  }

  public QueuePolicy withOverflow(Overflow v) {
    return new QueuePolicy(maxMessages, maxBytes, maxAge, v);
  }
}
