package io.estuary.mqtt.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.limits.Rate;
import io.estuary.testkit.CountingCounter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * While the read gate stops reading, the rest of a socket read waits in the {@link PacketInspector} as bytes, not as
 * decoded packets (a read of 2-byte PINGREQs was ~30,000 packet objects), no further read is asked for, and it is
 * cut and handled in order once the gate lets packets through. The connection's pipeline from the inspector on, in
 * an {@link EmbeddedChannel} whose pending tasks stand for the event loop.
 */
class ReadGateInspectorTest {
  private static final int PACKETS = 10_000;

  private final ReadGate gate =
      new ReadGate(Rate.INFINITY, Rate.INFINITY, new CountingCounter(), new CountingCounter(), new CountingCounter());
  private final PacketInspector inspector = new PacketInspector(1 << 20, gate::paused);
  private final List<MqttMessageType> handled = new ArrayList<>();
  private int bursts;
  private int readsAsked;
  private boolean holdOnFirst = true;
  private final EmbeddedChannel channel = new EmbeddedChannel(
      new ChannelOutboundHandlerAdapter() {
        @Override
        public void read(ChannelHandlerContext ctx) {
          readsAsked++;
          ctx.read();
        }
      },
      inspector, new MqttDecoder(),
      new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          gate.offer((MqttMessage) msg);
        }
      });

  ReadGateInspectorTest() {
    gate.decodeHeld(inspector::decodeHeld);
    gate.bind(channel, m -> {
      handled.add(m.fixedHeader().messageType());
      ReferenceCountUtil.release(m);
      if (holdOnFirst && handled.size() == 1) {
        gate.hold(true); // the first packet's handling stops reading (as unanswered publishes do)
      }
    }, () -> bursts++);
  }

  private static ByteBuf pingreqs(int n) {
    ByteBuf b = Unpooled.buffer(2 * n);
    for (int i = 0; i < n; i++) {
      b.writeByte(0xC0).writeByte(0);
    }
    return b;
  }

  @Test
  void the_rest_of_a_read_waits_as_bytes_and_is_handled_in_one_burst_once_reading_resumes() {
    readsAsked = 0;
    channel.writeInbound(pingreqs(PACKETS));
    assertThat(handled).as("the packet that stopped reading").hasSize(1);
    assertThat(gate.waiting()).as("no decoded packet waits").isZero();
    assertThat(channel.config().isAutoRead()).isFalse();

    channel.writeInbound(pingreqs(10)); // what the read already under way brings
    assertThat(handled).hasSize(1);
    assertThat(gate.waiting()).isZero();
    assertThat(readsAsked).as("no read asked for while bytes are held").isZero();

    gate.hold(false);
    channel.runPendingTasks();
    assertThat(handled).hasSize(PACKETS + 10).containsOnly(MqttMessageType.PINGREQ);
    assertThat(bursts).as("their answers reported once, without waiting for another read").isEqualTo(1);
    assertThat(channel.config().isAutoRead()).isTrue();
    assertThat(inspector.decodeHeld()).as("nothing held any more").isFalse();
  }

  @Test
  void a_packet_whose_bytes_are_under_way_when_reading_stops_is_finished_then_nothing_more() {
    holdOnFirst = false;
    ByteBuf in = Unpooled.buffer();
    in.writeByte(0x30).writeByte(5).writeShort(3).writeBytes("a/b".getBytes()); // QoS 0 PUBLISH a/b, empty payload
    in.writeBytes(pingreqs(3));
    channel.writeInbound(in.readRetainedSlice(4)); // the PUBLISH's first four bytes
    gate.hold(true);
    channel.writeInbound(in);
    assertThat(handled).isEmpty();
    assertThat(gate.waiting()).as("the PUBLISH under way is finished, then waits; the PINGREQs wait as bytes").isEqualTo(1);
    gate.hold(false);
    channel.runPendingTasks();
    assertThat(handled).containsExactly(MqttMessageType.PUBLISH, MqttMessageType.PINGREQ, MqttMessageType.PINGREQ,
        MqttMessageType.PINGREQ);
    assertThat(bursts).isEqualTo(1);
  }
}
