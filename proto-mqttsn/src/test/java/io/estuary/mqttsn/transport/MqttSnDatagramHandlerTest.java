package io.estuary.mqttsn.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.estuary.api.limits.Rate;
import io.estuary.mqttsn.MqttSnConfig;
import io.estuary.mqttsn.MqttSnLimits;
import io.estuary.mqttsn.MqttSnLimits.ListenerLimits;
import io.estuary.mqttsn.channel.Action;
import io.estuary.mqttsn.channel.Action.Send;
import io.estuary.mqttsn.channel.MqttSnDispatcher;
import io.estuary.mqttsn.channel.TopicIdStore;
import io.estuary.mqttsn.codec.MqttSnCodec;
import io.estuary.mqttsn.codec.MqttSnFrame.Connack;
import io.estuary.mqttsn.codec.MqttSnFrame.Connect;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.testkit.CountingCounter;
import io.estuary.testkit.FakeContext;
import io.estuary.testkit.MutableClock;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The listener socket's handler and the dispatcher's early look at CONNECTs from addresses without a channel
 * (issue #13): a CONNECT over the half-open backlog or the connect rates is refused where it is read — answered
 * CONNACK congestion (within unknown_answer_rate) and counted, never decoded or handed to the dispatcher's loop —
 * and an admitted one is not charged the rates a second time when the dispatcher takes it.
 */
class MqttSnDatagramHandlerTest {
  static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 1884);
  static final InetSocketAddress A = new InetSocketAddress("127.0.0.2", 40000);
  static final InetSocketAddress B = new InetSocketAddress("127.0.0.3", 40000);
  static final InetSocketAddress C = new InetSocketAddress("127.0.0.4", 40000);

  final FakeContext ctx = new FakeContext("mqttsn", new MutableClock());
  final List<Action> sent = new ArrayList<>();
  final HandOffTest.Loop loop = new HandOffTest.Loop();
  final List<HandOff.Item> handedOver = new ArrayList<>();

  static ListenerLimits limits(String maxConnRate, int maxHalfOpen, String unknownAnswerRate) {
    ListenerLimits l = ListenerLimits.DEFAULTS;
    return new ListenerLimits(l.maxConnections(), Rate.parse(maxConnRate), l.maxSources(), Rate.INFINITY,
        l.sourceDatagramRate(), maxHalfOpen, l.halfOpenTimeout(), l.recbuf(), Rate.parse(unknownAnswerRate), 0,
        l.discardUnprovenSessions(), Rate.INFINITY, l.maxUnproven());
  }

  static MqttSnConfig config(ListenerLimits limits) {
    return MqttSnConfig.defaults().withLimits(MqttSnLimits.defaults().withListener("udp:default", limits));
  }

  /** The listener socket of {@code config}'s dispatcher; what it hands over is delivered when the loop runs. */
  EmbeddedChannel listener(MqttSnConfig config) {
    MqttSnDispatcher d = new MqttSnDispatcher(config, ctx, "udp:default", Runnable::run, sent::addAll,
        new TopicIdStore(ctx));
    HandOff h = new HandOff("udp:default", i -> {
      handedOver.add(i);
      MqttSnDatagramHandler.deliver(d, i.from(), i.result(), null, i.len(), i.connectAdmitted());
    }, loop, 100, new CountingCounter(), System::nanoTime);
    return new EmbeddedChannel(new MqttSnDatagramHandler(d, null, h));
  }

  static DatagramPacket connect(String clientId, InetSocketAddress from) {
    return new DatagramPacket(Unpooled.wrappedBuffer(MqttSnCodec.encode(new Connect(false, true, 60, clientId))),
        LOCAL, from);
  }

  /** Runs what the dispatcher's loop was asked to run. */
  void runLoop() {
    while (!loop.executed.isEmpty() || !loop.scheduled.isEmpty()) {
      loop.next().run();
    }
  }

  double drops(String reason) {
    return ctx.counter("mqttsn.dropsreason," + reason);
  }

  static void assertCongestion(DatagramPacket out, InetSocketAddress to) {
    assertThat(out).isNotNull();
    assertThat(out.recipient()).isEqualTo(to);
    assertThat(ByteBufUtil.getBytes(out.content())).containsExactly(3, 0x05, 0x01);
    out.release();
  }

  @Test
  void a_connect_over_max_conn_rate_is_answered_congestion_where_it_is_read_and_never_handed_over() {
    EmbeddedChannel ch = listener(config(limits("1/h", 1000, "1000/s")));
    ch.writeInbound(connect("a", A));
    ch.writeInbound(connect("b", B));
    assertCongestion(ch.readOutbound(), B);
    assertThat((Object) ch.readOutbound()).isNull();
    assertThat(drops("max_conn_rate")).isEqualTo(1.0);
    runLoop();
    assertThat(handedOver).extracting(HandOff.Item::from, HandOff.Item::connectAdmitted).containsExactly(tuple(A, true));
    // the dispatcher took A's CONNECT without charging max_conn_rate again (it has no token left)
    assertThat(sent).containsExactly(new Send(A, new Connack(ReturnCode.ACCEPTED)));
    assertThat(drops("max_conn_rate")).isEqualTo(1.0);
  }

  @Test
  void a_refused_connect_beyond_unknown_answer_rate_is_counted_and_not_answered() {
    EmbeddedChannel ch = listener(config(limits("1/h", 1000, "1/h")));
    ch.writeInbound(connect("a", A));
    ch.writeInbound(connect("b", B));
    ch.writeInbound(connect("c", C));
    assertCongestion(ch.readOutbound(), B);
    assertThat((Object) ch.readOutbound()).as("C's refusal is over unknown_answer_rate").isNull();
    assertThat(drops("max_conn_rate")).isEqualTo(2.0);
    assertThat(drops("unknown_answer_rate")).isEqualTo(1.0);
    runLoop();
    assertThat(handedOver).extracting(HandOff.Item::from).containsExactly(A);
  }

  @Test
  void a_full_half_open_backlog_refuses_new_addresses_before_the_rates() {
    EmbeddedChannel ch = listener(config(limits("1000/s", 1, "1000/s")));
    ch.writeInbound(connect("a", A));
    runLoop(); // A is half-open: the backlog of one is full
    ch.writeInbound(connect("b", B));
    assertCongestion(ch.readOutbound(), B);
    assertThat(drops("half_open_full")).isEqualTo(1.0);
    assertThat(drops("max_conn_rate")).isZero();
    runLoop();
    assertThat(handedOver).extracting(HandOff.Item::from).containsExactly(A);
  }

  @Test
  void a_listener_where_sleeping_clients_may_wake_up_from_new_addresses_leaves_every_connect_to_the_dispatcher() {
    EmbeddedChannel ch = listener(config(limits("1/h", 1000, "1000/s")).withWakeupFromNewAddress(Set.of("udp:default")));
    ch.writeInbound(connect("a", A));
    ch.writeInbound(connect("b", B));
    assertThat((Object) ch.readOutbound()).isNull();
    runLoop();
    assertThat(handedOver).extracting(HandOff.Item::from, HandOff.Item::connectAdmitted)
        .containsExactly(tuple(A, false), tuple(B, false));
    assertThat(sent).containsExactly(new Send(A, new Connack(ReturnCode.ACCEPTED)),
        new Send(B, new Connack(ReturnCode.REJECTED_CONGESTION)));
    assertThat(drops("max_conn_rate")).isEqualTo(1.0);
  }
}
