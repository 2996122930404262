package io.estuary.mqttsn.channel;

import io.estuary.api.CloseReason;
import io.estuary.api.Delivery;
import io.estuary.api.DeliverySink;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * A channel's {@link DeliverySink}: one per opened session, carrying the channel's generation at the
 * time it was opened, so the calls of a stale session (the client reconnected or closed) are recognised
 * and ignored.
 *
 * <p>Thread contract: the broker calls {@link #deliver} and {@link #sessionClosed} on {@link #executor()},
 * the channel's thread, which owns the channel's state; {@link #attributes()} reads the channel's
 * volatile listing mirrors and is safe from any thread. The sink itself is immutable.
 */
final class SessionSink implements DeliverySink {
  private final MqttSnChannel ch;
  private final int gen;
  private final Executor executor;

  SessionSink(MqttSnChannel ch, int gen, Executor executor) {
    this.ch = ch;
    this.gen = gen;
    this.executor = executor;
  }

  @Override
  public Executor executor() {
    return executor;
  }

  @Override
  public int credits() {
    return Integer.MAX_VALUE; // UDP has no back-pressure; the inflight window bounds QoS 1/2
  }

  @Override
  public void deliver(Delivery delivery) {
    ch.emitAll(ch.handleDeliver(gen, delivery));
  }

  @Override
  public void sessionClosed(CloseReason reason) {
    ch.emitAll(ch.handleSessionClosed(gen, reason));
  }

  @Override
  public Map<String, Object> attributes() {
    return ch.attributes();
  }
}
