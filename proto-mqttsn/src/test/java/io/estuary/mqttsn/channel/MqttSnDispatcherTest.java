package io.estuary.mqttsn.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.core.api.CloseReason;
import io.estuary.core.api.Payload;
import io.estuary.mqttsn.MqttSnConfig;
import io.estuary.mqttsn.MqttSnConfig.PredefinedTopic;
import io.estuary.mqttsn.channel.Action.Send;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
import io.estuary.mqttsn.fake.FakeContext;
import io.estuary.mqttsn.fake.MutableClock;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MqttSnDispatcherTest {
  static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 1001);
  static final InetSocketAddress B = new InetSocketAddress("127.0.0.1", 1002);

  final FakeContext ctx = new FakeContext(new MutableClock());
  final List<Action> sent = new ArrayList<>();
  final MqttSnDispatcher d = new MqttSnDispatcher(
      MqttSnConfig.defaults().withPredefined(List.of(new PredefinedTopic(3, "p/three"))), ctx, "udp:default",
      Runnable::run, sent::addAll);

  @Test
  void searchgw_is_answered_with_gwinfo_to_the_searcher() {
    d.onFrame(A, new SearchGw(0));
    assertThat(sent).containsExactly(new Send(A, new GwInfo(1, Payload.EMPTY)));
    assertThat(d.size()).isZero();
  }

  @Test
  void malformed_datagrams_are_counted_and_create_no_client() {
    d.onFrameError(A, "truncated");
    d.onFrameError(A, "truncated");
    assertThat(ctx.counter("mqttsn.drops")).isEqualTo(2.0);
    assertThat(d.size()).isZero();
    assertThat(sent).isEmpty();
  }

  @Test
  void frames_from_unknown_addresses_are_dropped_except_connect_and_qos_minus_one() {
    d.onFrame(A, new PingReq(""));
    d.onFrame(A, new Publish(false, -1, false, new TopicRef.Predefined(3), 0, Payload.utf8("x")));
    assertThat(sent).isEmpty();
    assertThat(ctx.anonymous).hasSize(1);
    d.onFrame(A, new Connect(false, true, 10, "c1"));
    assertThat(sent).containsExactly(new Send(A, new Connack(ReturnCode.ACCEPTED)));
  }

  @Test
  void wake_up_pingreq_from_a_new_port_moves_the_client() {
    d.onFrame(A, new Connect(false, true, 10, "c1"));
    d.onFrame(A, Disconnect.sleep(60));
    sent.clear();
    d.onFrame(B, new PingReq("c1"));
    assertThat(sent).containsExactly(new Send(B, new PingResp()));
    sent.clear();
    d.onFrame(A, new PingReq("")); // the old port is not the client any more
    assertThat(sent).isEmpty();
  }

  @Test
  void connect_from_a_new_port_keeps_one_channel_per_client_id() {
    d.onFrame(A, new Connect(false, true, 10, "c1"));
    d.onFrame(B, new Connect(false, true, 10, "c1"));
    assertThat(d.size()).isEqualTo(1);
    assertThat(ctx.sessions.get(0).closed).isEqualTo(CloseReason.NORMAL);
  }

  @Test
  void another_client_id_from_a_known_address_closes_the_old_client() {
    d.onFrame(A, new Connect(false, true, 10, "c1"));
    d.onFrame(A, new Connect(false, true, 10, "c2"));
    assertThat(ctx.session("c1").closed).isEqualTo(CloseReason.TRANSPORT_ERROR);
    assertThat(d.size()).isEqualTo(1);
  }

  @Test
  void disconnect_forgets_the_client() {
    d.onFrame(A, new Connect(false, true, 10, "c1"));
    d.onFrame(A, Disconnect.plain());
    assertThat(d.size()).isZero();
  }

  @Test
  void shutdown_disconnects_every_client() {
    d.onFrame(A, new Connect(false, true, 10, "c1"));
    d.onFrame(B, new Connect(false, true, 10, "c2"));
    sent.clear();
    d.shutdown();
    assertThat(sent).contains(new Send(A, Disconnect.plain()), new Send(B, Disconnect.plain()));
    assertThat(ctx.session("c1").closed).isEqualTo(CloseReason.SERVER_SHUTDOWN);
    assertThat(d.size()).isZero();
  }
}
