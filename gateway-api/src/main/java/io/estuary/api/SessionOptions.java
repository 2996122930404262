package io.estuary.api;

import java.time.Duration;
import java.util.Objects;

/**
 * How a device wants its session. Built with {@link #builder()}; defaults are a clean, non-persistent
 * session with no will.
 *
 * @param cleanStart discard any existing session state (MQTT 5 Clean Start, MQTT 3 Clean Session)
 * @param sessionExpiry how long the session outlives its connection; zero ends it with the connection
 * @param keepAlive the device's keepalive, shown in listings (the adapter enforces it)
 * @param will published when the connection ends abnormally, or null
 * @param willDelay MQTT 5 will delay interval
 * @param receiveMaximum the device's inflight window for QoS 1/2 deliveries
 * @param maxPacketSize deliveries larger than this (payload + topic, approximately) are dropped; 0 = no limit
 * @param maxQueued queue cap for this session; 0 = the broker's {@code mqtt.max_mqueue_len}
 * @param overflow what happens when the queue is full
 * @param maxQueuedBytes queue cap in bytes (payload + topic of each queued message); 0 = the broker's
 *     {@code mqtt.max_mqueue_bytes} (itself 0 = no byte cap)
 * @param maxQueuedAge queued messages older than this (since the broker accepted them) are dropped;
 *     zero = no age cap
 */
public record SessionOptions(
    boolean cleanStart,
    Duration sessionExpiry,
    Duration keepAlive,
    Message will,
    Duration willDelay,
    int receiveMaximum,
    int maxPacketSize,
    int maxQueued,
    Overflow overflow,
    long maxQueuedBytes,
    Duration maxQueuedAge) {

  /** Queue-full policy. */
  public enum Overflow {
    /** Drop the oldest queued message to make room (EMQX's mqueue). */
    DROP_OLDEST,
    /** Drop the new message. */
    DROP_NEWEST,
    /**
     * Queue the QoS 1/2 message beyond the cap but complete its publisher's publish stage (so the
     * PUBACK/PUBREC) only once the queue is back under the caps; QoS 0 messages, which cannot be held
     * back, are dropped. The overshoot is bounded by the publishers' inflight windows.
     */
    BACKPRESSURE
  }

  public SessionOptions {
    Objects.requireNonNull(sessionExpiry, "sessionExpiry");
    keepAlive = keepAlive == null ? Duration.ZERO : keepAlive;
    willDelay = willDelay == null ? Duration.ZERO : willDelay;
    if (receiveMaximum < 1 || receiveMaximum > 65535) {
      throw new IllegalArgumentException("receiveMaximum must be 1..65535, was " + receiveMaximum);
    }
    if (maxQueued < 0) {
      throw new IllegalArgumentException("maxQueued must be >= 0, was " + maxQueued);
    }
    overflow = overflow == null ? Overflow.DROP_OLDEST : overflow;
    maxQueuedAge = maxQueuedAge == null ? Duration.ZERO : maxQueuedAge;
    if (maxQueuedBytes < 0) {
      throw new IllegalArgumentException("maxQueuedBytes must be >= 0, was " + maxQueuedBytes);
    }
    if (maxQueuedAge.isNegative()) {
      throw new IllegalArgumentException("maxQueuedAge must be >= 0, was " + maxQueuedAge);
    }
  }

  /** True when the session outlives its connection. */
  public boolean persistent() {
    return !sessionExpiry.isZero();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().cleanStart(cleanStart).sessionExpiry(sessionExpiry).keepAlive(keepAlive).will(will)
        .willDelay(willDelay).receiveMaximum(receiveMaximum).maxPacketSize(maxPacketSize)
        .maxQueued(maxQueued).overflow(overflow).maxQueuedBytes(maxQueuedBytes).maxQueuedAge(maxQueuedAge);
  }

  /** Builder; every field optional. */
  public static final class Builder {
    private boolean cleanStart = true;
    private Duration sessionExpiry = Duration.ZERO;
    private Duration keepAlive = Duration.ZERO;
    private Message will;
    private Duration willDelay = Duration.ZERO;
    private int receiveMaximum = 32;
    private int maxPacketSize;
    private int maxQueued;
    private Overflow overflow = Overflow.DROP_OLDEST;
    private long maxQueuedBytes;
    private Duration maxQueuedAge = Duration.ZERO;

    public Builder cleanStart(boolean v) { cleanStart = v; return this; }
    public Builder sessionExpiry(Duration v) { sessionExpiry = v; return this; }
    public Builder keepAlive(Duration v) { keepAlive = v; return this; }
    public Builder will(Message v) { will = v; return this; }
    public Builder willDelay(Duration v) { willDelay = v; return this; }
    public Builder receiveMaximum(int v) { receiveMaximum = v; return this; }
    public Builder maxPacketSize(int v) { maxPacketSize = v; return this; }
    public Builder maxQueued(int v) { maxQueued = v; return this; }
    public Builder overflow(Overflow v) { overflow = v; return this; }
    public Builder maxQueuedBytes(long v) { maxQueuedBytes = v; return this; }
    public Builder maxQueuedAge(Duration v) { maxQueuedAge = v; return this; }

    public SessionOptions build() {
      return new SessionOptions(cleanStart, sessionExpiry, keepAlive, will, willDelay, receiveMaximum, maxPacketSize, maxQueued, overflow,
          maxQueuedBytes, maxQueuedAge);
    }
  }
}
