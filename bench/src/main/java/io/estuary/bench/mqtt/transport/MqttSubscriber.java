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
import java.util.List;

/**
 * Subscribes to one filter, then counts and times every PUBLISH, acknowledging QoS 1 ones. PUBACKs are
 * written as messages arrive and flushed once per read batch.
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

  /**
   * @param plan the end-to-end windows, or null when publishers run without one
   */
  MqttSubscriber(int index, String clientId, String filter, int qos, int publishers, RunState state,
      DeliveryWindow.Plan plan) {
    super(clientId, "subscriber " + index);
    this.filter = filter;
    this.qos = MqttQoS.valueOf(qos);
    this.state = state;
    this.tally = new SubscriberTally(publishers);
    this.plan = plan;
    this.slots = plan == null ? null : plan.slots()[index];
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
    if (publish.fixedHeader().qosLevel() == MqttQoS.AT_LEAST_ONCE) {
      ctx.write(MqttMessageBuilders.pubAck().packetId(publish.variableHeader().packetId()).build());
      needsFlush = true;
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
