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
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Decides when the packets of one MQTT connection are handled: each decoded packet takes its size from the
 * {@code bytes_rate} bucket and each PUBLISH one token from the {@code messages_rate} bucket ({@link
 * TokenBucket#take}); in debt, the connection stops reading ({@code autoRead} off) and the packets already read
 * wait here, in order, until the debt is paid. {@link #hold} stops it the same way while the broker has not
 * answered enough of the client's publishes, and {@link #writable} while the connection is not writable: a client
 * that does not read what it is sent (PINGRESP, PUBACK, SUBACK…) must not make the outbound buffer grow without
 * bound by sending more requests. Each reason holds on its own; reading resumes only when none holds. Nothing is
 * dropped: the client's TCP window fills and it slows down. The rest of the socket read waits as bytes in the
 * {@link PacketInspector} ({@link #decodeHeld}), which starts no packet while reading is stopped; what waits here
 * as packets is the one or two finished meanwhile. Owned by the connection's event loop.
 */
final class ReadGate {
  private final TokenBucket bytes;
  private final TokenBucket messages;
  private final Metrics.Counter bytesPauses;
  private final Metrics.Counter messagesPauses;
  private final Metrics.Counter unwritablePauses;
  private final ArrayDeque<MqttMessage> waiting = new ArrayDeque<>();
  private Channel channel;
  private Consumer<MqttMessage> handler;
  private Runnable drained;
  private BooleanSupplier decodeHeld = () -> false;
  private ScheduledFuture<?> resume;
  private boolean held;
  /** The connection is not writable (its outbound buffer is over Netty's high water mark). */
  private boolean unwritable;
  private boolean draining;

  ReadGate(Rate bytesRate, Rate messagesRate, Metrics.Counter bytesPauses, Metrics.Counter messagesPauses,
      Metrics.Counter unwritablePauses) {
    this.bytes = bytesRate.isInfinite() ? null : TokenBucket.of(bytesRate);
    this.messages = messagesRate.isInfinite() ? null : TokenBucket.of(messagesRate);
    this.bytesPauses = bytesPauses;
    this.messagesPauses = messagesPauses;
    this.unwritablePauses = unwritablePauses;
  }

  /**
   * Binds the gate to its connection, the code that handles one packet and the code that ends a burst of them (the
   * connection handler's, as at the end of a socket read: packets that waited are handled outside any read, so no
   * read's end would report their acknowledgements to the session).
   */
  void bind(Channel channel, Consumer<MqttMessage> handler, Runnable drained) {
    this.channel = channel;
    this.handler = handler;
    this.drained = drained;
  }

  /**
   * The code that goes on cutting packets from the bytes held while reading was stopped (the inspector's); returns
   * whether there were any.
   */
  void decodeHeld(BooleanSupplier decodeHeld) {
    this.decodeHeld = decodeHeld;
  }

  /** The packets waiting here (finished while reading was stopped). */
  int waiting() {
    return waiting.size();
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

  /**
   * Stops reading while the connection is not writable ({@code false}), resumes when it is again: the packets already
   * read wait, unanswered, until the client has read enough of what it was sent. Netty reports writability while it
   * writes, so the packets are handled later on the loop, as for {@link #hold}.
   */
  void writable(boolean on) {
    if (!on) {
      if (!unwritable) {
        unwritable = true;
        unwritablePauses.increment();
        update();
      }
    } else if (unwritable) {
      unwritable = false;
      channel.eventLoop().execute(() -> {
        drain();
        update();
      });
    }
  }

  /** Reading is stopped now, for any reason. */
  boolean paused() {
    return held || resume != null || unwritable;
  }

  /**
   * Reading is stopped by the listener's own choice (a rate, unanswered publishes), so the read-idle timer must not
   * count this time against the client. Not when the connection is merely unwritable: then the client is the one not
   * reading, and its keepalive runs on (a client that reads nothing for 1.5 × its keepalive is disconnected).
   */
  boolean throttled() {
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
    boolean passed = false;
    try {
      while (!paused() && !waiting.isEmpty() && channel.isActive()) {
        pass(waiting.poll());
        passed = true;
      }
      if (!paused() && waiting.isEmpty() && channel.isActive() && decodeHeld.getAsBoolean()) {
        passed = true; // the rest of the read, cut and handled now (up to the next stop)
      }
    } finally {
      draining = false;
    }
    if (passed) {
      drained.run();
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
