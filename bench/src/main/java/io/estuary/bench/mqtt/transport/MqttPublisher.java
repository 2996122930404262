package io.estuary.bench.mqtt.transport;

import io.estuary.bench.mqtt.DeliveryWindow;
import io.estuary.bench.mqtt.LoadConfig;
import io.estuary.bench.mqtt.PublisherTally;
import io.estuary.bench.mqtt.RunState;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Publishes stamped messages to one topic as fast as the socket takes them (QoS 0), as fast as PUBACKs
 * free the inflight window (QoS 1), or at a fixed rate. Publishing happens in batches on the event loop,
 * yielding between batches so reads (PUBACKs) and other clients on the same loop get their turn.
 */
final class MqttPublisher extends MqttLoadClient {

  /** Messages written per turn on the event loop before a flush and a yield. */
  private static final int BATCH = 64;
  /** A full end-to-end window that does not move for this long is written off as lost. */
  private static final long STALL_MILLIS = 1_000;

  private final int index;
  private final String topic;
  private final LoadConfig config;
  private final RunState state;
  private final PublisherTally tally = new PublisherTally();
  private final MqttQoS qos;
  private final double ratePerNano;
  private boolean started;
  private boolean pumping;
  private boolean ackedInRead;
  private int inflight;
  private int nextPacketId = 1;
  private long seq;
  private long startNanos;
  private ScheduledFuture<?> ticker;
  private final DeliveryWindow delivery;
  /** The publisher's last view of {@link DeliveryWindow#slowest()}, or where it wrote a stall off. */
  private long delivered;
  private volatile boolean blocked;
  private ScheduledFuture<?> stallTimer;
  private long deliveredAtStallCheck = -1;

  MqttPublisher(int index, String clientId, String topic, LoadConfig config, RunState state, DeliveryWindow delivery) {
    super(clientId, "publisher " + index);
    this.index = index;
    this.topic = topic;
    this.config = config;
    this.state = state;
    this.qos = MqttQoS.valueOf(config.qos());
    this.ratePerNano = config.ratePerPublisher() / 1e9;
    this.delivery = delivery;
  }

  /** A subscriber received messages: resume if the end-to-end window held us back; from any thread. */
  void wake() {
    if (blocked) {
      blocked = false;
      ctx.executor().execute(this::pump);
    }
  }

  PublisherTally tally() {
    return tally;
  }

  /** Starts publishing; from any thread. */
  void start() {
    ctx.executor().execute(() -> {
      started = true;
      startNanos = System.nanoTime();
      if (ratePerNano > 0) {
        // wake often enough for one message per tick, at most every ms, at least every 100 ms
        long periodNanos = Math.max(1_000_000L, Math.min(100_000_000L, (long) (1 / ratePerNano)));
        ticker = ctx.executor().scheduleAtFixedRate(this::pump, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
      }
      pump();
    });
  }

  /** Stops publishing; from any thread. */
  void stop() {
    ctx.executor().execute(() -> {
      started = false;
      if (ticker != null) {
        ticker.cancel(false);
      }
      if (stallTimer != null) {
        stallTimer.cancel(false);
        stallTimer = null;
      }
    });
  }

  /** QoS 1 messages sent and not yet acknowledged; read from any thread once stopped. */
  long unacked() {
    return tally.sent() - tally.acked();
  }

  @Override
  void onConnected(ChannelHandlerContext ctx) {
    ready.complete(null);
  }

  @Override
  void onMessage(ChannelHandlerContext ctx, MqttMessage message) {
    if (message.fixedHeader().messageType() == MqttMessageType.PUBACK) {
      inflight--;
      tally.onAcked();
      ackedInRead = true; // refill once per read batch, not once per PUBACK: fewer flushes
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (ackedInRead) {
      ackedInRead = false;
      pump();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      pump();
    }
    ctx.fireChannelWritabilityChanged();
  }

  private void pump() {
    if (!started || pumping || !state.publishing()) {
      return;
    }
    pumping = true; // a write may fire channelWritabilityChanged from inside this loop
    try {
      long allowed = ratePerNano > 0 ? (long) ((System.nanoTime() - startNanos) * ratePerNano) + 1 : Long.MAX_VALUE;
      int written = 0;
      while (written < BATCH
          && seq < allowed
          && ctx.channel().isWritable()
          && (qos == MqttQoS.AT_MOST_ONCE || inflight < config.inflight())
          && windowOpen()) {
        publishOne();
        written++;
      }
      if (written > 0) {
        ctx.flush();
      }
      if (written == BATCH && ratePerNano == 0 && ctx.channel().isWritable()) {
        ctx.executor().execute(this::pump); // more to do: yield to reads, then go on
      } else if (config.window() > 0 && !windowOpen()) {
        waitForWindow();
      }
    } finally {
      pumping = false;
    }
  }

  private boolean windowOpen() {
    int window = config.window();
    if (window == 0 || seq - delivered < window) {
      return true;
    }
    delivered = Math.max(delivered, delivery.slowest());
    return seq - delivered < window;
  }

  /** Asks subscribers for a wake-up, re-checking after so that one that just came is not missed. */
  private void waitForWindow() {
    blocked = true;
    if (windowOpen()) {
      blocked = false;
      ctx.executor().execute(this::pump);
      return;
    }
    if (stallTimer == null) {
      stallTimer = ctx.executor().schedule(this::checkStall, STALL_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  /** The broker may drop messages (QoS 0 by design, QoS 1 past its queue limits): do not wait forever. */
  private void checkStall() {
    stallTimer = null;
    if (!started || windowOpen()) {
      deliveredAtStallCheck = -1;
      pump();
      return;
    }
    if (delivered == deliveredAtStallCheck) {
      delivered = seq; // nothing moved for a whole period: count what is in flight as lost, go on
      tally.onStall();
      deliveredAtStallCheck = -1;
      pump();
    } else {
      deliveredAtStallCheck = delivered;
      stallTimer = ctx.executor().schedule(this::checkStall, STALL_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void publishOne() {
    int packetId = 0;
    if (qos == MqttQoS.AT_LEAST_ONCE) {
      packetId = nextPacketId;
      nextPacketId = nextPacketId == 65_535 ? 1 : nextPacketId + 1; // MQTT 3.1.1 §2.3.1: ids are 1..65535
      inflight++;
    }
    boolean measuring = state.measuring();
    ByteBuf payload = ctx.alloc().buffer(config.payloadSize());
    Stamp.write(payload, config.payloadSize(), System.nanoTime(), index, seq++);
    ctx.write(new MqttPublishMessage(
        new MqttFixedHeader(MqttMessageType.PUBLISH, false, qos, false, 0),
        new MqttPublishVariableHeader(topic, packetId),
        payload));
    tally.onSent(measuring);
  }
}
