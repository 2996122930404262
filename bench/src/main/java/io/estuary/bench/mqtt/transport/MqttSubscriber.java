package io.estuary.bench.mqtt.transport;

import io.estuary.bench.mqtt.DeliveryWindow;
import io.estuary.bench.mqtt.RunState;
import io.estuary.bench.mqtt.SubscriberTally;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Subscribes to one filter, then counts and times every PUBLISH, acknowledging QoS 1 ones. PUBACKs are
 * written as messages arrive and flushed once per read batch; with an ack rate (a slow consumer) they wait in a
 * queue that a 1 ms timer drains at that rate, so the broker's inflight window to this client stays full.
 */
final class MqttSubscriber extends MqttLoadClient {

  private static final int SUBSCRIBE_PACKET_ID = 1;

  private final String filter;
  private final MqttQoS qos;
  private final RunState state;
  private final SubscriberTally tally;
  private final DeliveryWindow.Plan plan;
  private final int[] slots;
  private volatile MqttPublisher[] sources = new MqttPublisher[0];
  private boolean needsFlush;
  private final long ackRate;
  private final ArrayDeque<Integer> unacked = new ArrayDeque<>();
  private double ackBudget;
  private ScheduledFuture<?> acker;

  /**
   * @param plan the end-to-end windows, or null when publishers run without one
   */
  MqttSubscriber(int index, String clientId, String filter, int qos, int publishers, RunState state,
      DeliveryWindow.Plan plan, long ackRate) {
    super(clientId, "subscriber " + index);
    this.filter = filter;
    this.qos = MqttQoS.valueOf(qos);
    this.state = state;
    this.tally = new SubscriberTally(publishers);
    this.plan = plan;
    this.slots = plan == null ? null : plan.slots()[index];
    this.ackRate = ackRate;
  }

  /** The publishers to wake after each read batch when they wait for their end-to-end window. */
  void wakes(List<MqttPublisher> publishers) {
    this.sources = publishers.toArray(MqttPublisher[]::new);
  }

  SubscriberTally tally() {
    return tally;
  }

  @Override
  void onConnected(ChannelHandlerContext ctx) {
    if (ackRate > 0 && acker == null) {
      acker = ctx.executor().scheduleAtFixedRate(() -> ackSome(ctx), 1, 1, TimeUnit.MILLISECONDS);
      ctx.channel().closeFuture().addListener(f -> acker.cancel(false));
    }
    ctx.writeAndFlush(MqttMessageBuilders.subscribe()
        .messageId(SUBSCRIBE_PACKET_ID)
        .addSubscription(qos, filter)
        .build());
  }

  @Override
  void onMessage(ChannelHandlerContext ctx, MqttMessage message) {
    MqttMessageType type = message.fixedHeader().messageType();
    if (type == MqttMessageType.PUBLISH) {
      onPublish(ctx, (MqttPublishMessage) message);
    } else if (type == MqttMessageType.SUBACK) {
      List<Integer> granted = ((MqttSubAckMessage) message).payload().grantedQoSLevels();
      int code = granted.isEmpty() ? 0x80 : granted.get(0);
      if (code == 0x80) { // MQTT 3.1.1 §3.9.3: 0x80 = failure
        fail(ctx, "was refused the subscription to " + filter);
      } else if (code < qos.value()) {
        fail(ctx, "was granted QoS " + code + " instead of " + qos.value() + " on " + filter);
      } else {
        ready.complete(null);
      }
    }
  }

  private void onPublish(ChannelHandlerContext ctx, MqttPublishMessage publish) {
    long now = System.nanoTime();
    ByteBuf payload = publish.payload();
    if (Stamp.fits(payload)) {
      int publisher = Stamp.publisher(payload);
      long seq = Stamp.seq(payload);
      tally.onMessage(publisher, seq, now - Stamp.sentAt(payload), state.measuring());
      if (slots != null && publisher >= 0 && publisher < slots.length && slots[publisher] >= 0) {
        plan.windows()[publisher].delivered(slots[publisher], seq);
      }
    } else {
      tally.onUnstamped();
    }
    if (publish.fixedHeader().qosLevel() == MqttQoS.AT_LEAST_ONCE && ackRate > 0) {
      unacked.add(publish.variableHeader().packetId());
    } else if (publish.fixedHeader().qosLevel() == MqttQoS.AT_LEAST_ONCE) {
      ctx.write(MqttMessageBuilders.pubAck().packetId(publish.variableHeader().packetId()).build());
      needsFlush = true;
    }
  }

  /** The slow consumer's timer: up to {@code ackRate} PUBACKs a second, in arrival order. */
  private void ackSome(ChannelHandlerContext ctx) {
    ackBudget = Math.min(ackBudget + ackRate / 1000.0, Math.max(1, ackRate / 100.0)); // at most 10 ms' worth saved
    boolean wrote = false;
    while (ackBudget >= 1 && !unacked.isEmpty()) {
      ctx.write(MqttMessageBuilders.pubAck().packetId(unacked.poll()).build());
      ackBudget--;
      wrote = true;
    }
    if (wrote) {
      ctx.flush();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (needsFlush) {
      needsFlush = false;
      ctx.flush();
    }
    for (MqttPublisher p : sources) {
      p.wake();
    }
    ctx.fireChannelReadComplete();
  }
}
