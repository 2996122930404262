package io.estuary.mqttsn.transport;

import io.estuary.api.GatewayContext;
import io.estuary.api.Metrics;
import io.estuary.api.limits.Rate;
import io.estuary.api.limits.TokenBucket;
import io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;

/**
 * The CPU a plain-UDP listener socket may spend on datagrams from addresses without a channel (issue #13,
 * {@code unknown_datagram_rate}). Every such datagram read takes a token; when none is left the socket stops
 * being read ({@code autoRead} off) until the bucket holds a read batch's worth again, and the kernel drops what
 * overflows the socket's queue meanwhile for free — instead of the event loop reading, classifying and dropping
 * each flood datagram itself. Datagrams already read in the batch that ran out are dropped and counted
 * ({@code mqttsn.drops{reason=unknown_datagram_rate}}); each pause is counted in
 * {@code mqttsn.listener_paused{listener}}. Established clients on their connected sockets ({@code
 * connected_sockets}) are read as always; those sharing the listener socket wait out a pause with everyone else.
 * Owned by the listener's event loop.
 */
final class ListenerReadBudget {
  private final TokenBucket bucket;
  /** How long a read batch's worth of tokens takes to come back. */
  private final long batchNanos;
  private final Metrics.Counter shed;
  private final Metrics.Counter pauses;
  private boolean paused;

  private ListenerReadBudget(Rate rate, GatewayContext ctx, String listener) {
    this.bucket = TokenBucket.of(rate);
    this.batchNanos = (long) Math.ceil(MqttSnAdapter.READ_BATCH * 1e9 / rate.perSecond());
    this.shed = ctx.metrics().counter("drops", "reason", "unknown_datagram_rate");
    this.pauses = ctx.metrics().counter("listener_paused", "listener", listener);
  }

  /** The budget for {@code rate}, or null when it is unlimited. */
  static ListenerReadBudget of(Rate rate, GatewayContext ctx, String listener) {
    return rate.isInfinite() ? null : new ListenerReadBudget(rate, ctx, listener);
  }

  /**
   * Whether one more datagram from an unknown address may be handled; if not, it is counted and {@code
   * socket} paused until a batch's worth of budget is back. On the socket's event loop.
   */
  boolean admit(Channel socket) {
    if (paused) {
      shed.increment(); // read in the batch that ran out, before the pause took effect
      return false;
    }
    long debt = bucket.take(1);
    if (debt == 0) {
      return true;
    }
    shed.increment();
    paused = true;
    pauses.increment();
    socket.config().setAutoRead(false);
    socket.eventLoop().schedule(() -> {
      paused = false;
      if (socket.isOpen()) {
        socket.config().setAutoRead(true);
      }
    }, debt + batchNanos, TimeUnit.NANOSECONDS);
    return false;
  }
}
