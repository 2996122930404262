package io.estuary.mqtt.transport;

import io.estuary.api.Metrics;
import io.estuary.api.limits.Rate;
import io.estuary.api.limits.TokenBucket;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Decides when the packets of one MQTT connection are handled: each decoded packet takes its size from the
 * {@code bytes_rate} bucket and each PUBLISH one token from the {@code messages_rate} bucket ({@link
 * TokenBucket#take}); in debt, the connection stops reading ({@code autoRead} off) and the packets already read
 * wait here, in order, until the debt is paid. {@link #hold} stops it the same way while the broker has not
 * answered enough of the client's publishes. Nothing is dropped: the client's TCP window fills and it slows
 * down. What waits here is at most one socket read (autoRead off ends the read loop). Owned by the
 * connection's event loop.
 */
final class ReadGate {
  private final TokenBucket bytes;
  private final TokenBucket messages;
  private final Metrics.Counter bytesPauses;
  private final Metrics.Counter messagesPauses;
  private final ArrayDeque<MqttMessage> waiting = new ArrayDeque<>();
  private Channel channel;
  private Consumer<MqttMessage> handler;
  private ScheduledFuture<?> resume;
  private boolean held;
  private boolean draining;

  ReadGate(Rate bytesRate, Rate messagesRate, Metrics.Counter bytesPauses, Metrics.Counter messagesPauses) {
    this.bytes = bytesRate.isInfinite() ? null : TokenBucket.of(bytesRate);
    this.messages = messagesRate.isInfinite() ? null : TokenBucket.of(messagesRate);
    this.bytesPauses = bytesPauses;
    this.messagesPauses = messagesPauses;
  }

  /** Binds the gate to its connection and the code that handles one packet (the connection handler's). */
  void bind(Channel channel, Consumer<MqttMessage> handler) {
    this.channel = channel;
    this.handler = handler;
  }

  /** A decoded packet: handled now, or queued behind the ones waiting while reading is stopped. */
  void offer(MqttMessage m) {
    if (paused() || !waiting.isEmpty()) {
      waiting.add(m);
      update();
      return;
    }
    pass(m);
  }

  private void pass(MqttMessage m) {
    long pause = 0;
    Metrics.Counter reason = null;
    if (bytes != null) {
      pause = bytes.take(size(m.fixedHeader()));
      reason = bytesPauses;
    }
    if (messages != null && m.fixedHeader() != null && m.fixedHeader().messageType() == MqttMessageType.PUBLISH) {
      long p = messages.take(1);
      if (p > pause) {
        pause = p;
        reason = messagesPauses;
      }
    }
    handler.accept(m);
    if (pause > 0) {
      pauseFor(pause, reason);
    }
  }

  /** A packet's size on the wire: fixed header (type byte, remaining length) + the rest. */
  private static long size(MqttFixedHeader h) {
    if (h == null) {
      return 2;
    }
    int rest = h.remainingLength();
    return 1 + (rest < 128 ? 1 : rest < 16_384 ? 2 : rest < 2_097_152 ? 3 : 4) + rest;
  }

  /** Stops ({@code true}) or resumes reading for backpressure, independently of the rates. */
  void hold(boolean on) {
    held = on;
    if (on) {
      update();
    } else { // later on the loop: the packet being handled now finishes (and answers) first
      channel.eventLoop().execute(() -> {
        drain();
        update();
      });
    }
  }

  /** Reading is stopped now (the read-idle timer must not count this time against the client). */
  boolean paused() {
    return held || resume != null;
  }

  private void pauseFor(long nanos, Metrics.Counter counter) {
    if (resume != null) {
      return;
    }
    counter.increment();
    resume = channel.eventLoop().schedule(() -> {
      resume = null;
      drain();
      update();
    }, nanos, TimeUnit.NANOSECONDS);
    update();
  }

  private void drain() {
    if (draining) {
      return; // a resume from inside a packet's handling: the loop below goes on
    }
    draining = true;
    try {
      while (!paused() && !waiting.isEmpty() && channel.isActive()) {
        pass(waiting.poll());
      }
    } finally {
      draining = false;
    }
  }

  private void update() {
    boolean on = !paused() && waiting.isEmpty();
    if (channel.config().isAutoRead() != on) {
      channel.config().setAutoRead(on);
    }
  }

  /** The connection is gone: what waits is released. */
  void closed() {
    if (resume != null) {
      resume.cancel(false);
      resume = null;
    }
    MqttMessage m;
    while ((m = waiting.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
  }
}
