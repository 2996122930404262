package io.estuary.api;

import java.time.Duration;
import java.util.Objects;

/**
 * How a device wants its session. Built with {@link #builder()}; defaults are a clean, non-persistent
 * session with no will, an inflight window of 32 and the broker's queue caps.
 *
 * @param cleanStart discard any existing session state (MQTT 5 Clean Start, MQTT 3 Clean Session)
 * @param sessionExpiry how long the session outlives its connection; zero ends it with the connection
 * @param keepAlive the device's keepalive, shown in listings (the adapter enforces it)
 * @param will published when the connection ends abnormally, or null
 * @param willDelay MQTT 5 will delay interval
 * @param receiveMaximum the device's inflight window for QoS 1/2 deliveries
 * @param maxPacketSize deliveries larger than this (payload + topic, approximately) are dropped; 0 = no limit
 * @param queue how the session's queue is bounded ({@link QueuePolicy#BROKER_DEFAULT} unless set)
 */
public record SessionOptions(
    boolean cleanStart,
    Duration sessionExpiry,
    Duration keepAlive,
    Message will,
    Duration willDelay,
    int receiveMaximum,
    int maxPacketSize,
    QueuePolicy queue) {

  public SessionOptions {
    Objects.requireNonNull(sessionExpiry, "sessionExpiry");
    keepAlive = keepAlive == null ? Duration.ZERO : keepAlive;
    willDelay = willDelay == null ? Duration.ZERO : willDelay;
    if (receiveMaximum < 1 || receiveMaximum > 65535) {
      throw new IllegalArgumentException("receiveMaximum must be 1..65535, was " + receiveMaximum);
    }
    queue = queue == null ? QueuePolicy.BROKER_DEFAULT : queue;
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
        .willDelay(willDelay).receiveMaximum(receiveMaximum).maxPacketSize(maxPacketSize).queue(queue);
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
    private QueuePolicy queue = QueuePolicy.BROKER_DEFAULT;

    public Builder cleanStart(boolean v) { cleanStart = v; return this; }
    public Builder sessionExpiry(Duration v) { sessionExpiry = v; return this; }
    public Builder keepAlive(Duration v) { keepAlive = v; return this; }
    public Builder will(Message v) { will = v; return this; }
    public Builder willDelay(Duration v) { willDelay = v; return this; }
    public Builder receiveMaximum(int v) { receiveMaximum = v; return this; }
    public Builder maxPacketSize(int v) { maxPacketSize = v; return this; }
    public Builder queue(QueuePolicy v) { queue = v; return this; }

    public SessionOptions build() {
      return new SessionOptions(cleanStart, sessionExpiry, keepAlive, will, willDelay, receiveMaximum, maxPacketSize, queue);
    }
  }
}
