package io.estuary.mqtt.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.AuthResult;
import io.estuary.api.CloseReason;
import io.estuary.api.Delivery;
import io.estuary.api.DeliveryId;
import io.estuary.api.Message;
import io.estuary.api.MessageProperties;
import io.estuary.api.Payload;
import io.estuary.api.PublishOutcome;
import io.estuary.api.SessionRefusedException;
import io.estuary.mqtt.MqttListenerConfig;
import io.estuary.mqtt.MqttListenerLimits;
import io.estuary.mqtt.codec.FrameError;
import io.estuary.mqtt.codec.MqttFrame;
import io.estuary.mqtt.codec.MqttFrame.ConnAck;
import io.estuary.mqtt.codec.MqttFrame.Connect;
import io.estuary.mqtt.codec.MqttFrame.Disconnect;
import io.estuary.mqtt.codec.MqttFrame.PubAck;
import io.estuary.mqtt.codec.MqttFrame.PubComp;
import io.estuary.mqtt.codec.MqttFrame.PubRec;
import io.estuary.mqtt.codec.MqttFrame.PubRel;
import io.estuary.mqtt.codec.MqttFrame.Publish;
import io.estuary.mqtt.codec.MqttFrame.SubAck;
import io.estuary.mqtt.codec.MqttFrame.Subscribe;
import io.estuary.mqtt.codec.MqttFrame.TopicRequest;
import io.estuary.mqtt.codec.MqttFrame.UnsubAck;
import io.estuary.mqtt.codec.MqttFrame.Unsubscribe;
import io.estuary.testkit.FakeContext;
import io.estuary.testkit.FakeSession;
import io.estuary.testkit.MutableClock;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The MQTT connection state machine without sockets: frames in, actions out. The fake broker answers
 * synchronously and the executor runs tasks in place, so every reaction is in {@link #actions} when
 * the call returns.
 */
class MqttChannelTest {
  final FakeContext ctx = new FakeContext("mqtt", new MutableClock());
  final List<Action> actions = new ArrayList<>();
  MqttListenerLimits limits = MqttListenerLimits.DEFAULTS;
  String mountpoint = "";
  MqttChannel channel;

  MqttChannel channel() {
    if (channel == null) {
      MqttListenerConfig l = new MqttListenerConfig("tcp", "default", new InetSocketAddress("127.0.0.1", 1883), mountpoint, null, "/mqtt", 10);
      channel = new MqttChannel(ctx, limits, l, new MqttListenerMetrics(ctx.metrics()), Runnable::run,
          new InetSocketAddress("127.0.0.1", 40000), actions::add);
    }
    return channel;
  }

  static Connect connect(int version, String clientId) {
    return new Connect(version, clientId, true, 30, null, null, null, null, null, null, null);
  }

  /** Connects {@code clientId} and forgets the CONNACK and timer actions. */
  FakeSession connected(int version, String clientId) {
    channel().handleIn(connect(version, clientId));
    assertThat(channel.state()).isEqualTo(MqttChannel.State.CONNECTED);
    actions.clear();
    return ctx.lastSession();
  }

  static Publish publish(String topic, int qos, int packetId) {
    return new Publish(topic, packetId, qos, false, false, Payload.copyOf("x".getBytes(StandardCharsets.UTF_8)), MessageProperties.NONE,
        null, List.of());
  }

  List<MqttFrame> sent() {
    List<MqttFrame> out = new ArrayList<>();
    for (Action a : actions) {
      if (a instanceof Action.Send s) {
        out.add(s.frame());
      } else if (a instanceof Action.SendThenClose s) {
        out.add(s.frame());
      }
    }
    return out;
  }

  boolean closed() {
    return actions.stream().anyMatch(a -> a instanceof Action.Close || a instanceof Action.SendThenClose);
  }

  // ---- CONNECT --------------------------------------------------------------------------------

  @Test
  void connect_is_answered_with_connack_accepted_and_arms_keepalive_times_the_multiplier() {
    channel().handleIn(connect(4, "dev-1"));
    assertThat(actions).containsExactly(new Action.Send(new ConnAck(0, false, null)), new Action.KeepAlive(Duration.ofSeconds(45)));
    assertThat(ctx.lastSession().client.protocol()).isEqualTo("mqtt");
    assertThat(ctx.lastSession().client.listener()).isEqualTo("tcp:default");
    assertThat(ctx.counter("mqtt.connects")).isEqualTo(1);
  }

  @Test
  void packets_behind_the_connect_wait_for_the_connack_and_too_many_of_them_close_the_connection() {
    java.util.ArrayDeque<Runnable> tasks = new java.util.ArrayDeque<>(); // holds the session open until run
    MqttListenerConfig l = new MqttListenerConfig("tcp", "default", new InetSocketAddress("127.0.0.1", 1883), "", null, "/mqtt", 10);
    MqttChannel c = new MqttChannel(ctx, limits, l, new MqttListenerMetrics(ctx.metrics()), tasks::add,
        new InetSocketAddress("127.0.0.1", 40000), actions::add);
    c.handleIn(connect(5, "early"));
    c.handleIn(new MqttFrame.PingReq());
    assertThat(c.state()).isEqualTo(MqttChannel.State.CONNECTING);
    assertThat(sent()).isEmpty();
    while (!tasks.isEmpty()) {
      tasks.poll().run();
    }
    assertThat(sent()).hasSize(2);
    assertThat(sent().get(0)).isInstanceOf(ConnAck.class);
    assertThat(sent().get(1)).isInstanceOf(MqttFrame.PingResp.class);
    assertThat(closed()).isFalse();

    actions.clear();
    MqttChannel flood = new MqttChannel(ctx, limits, l, new MqttListenerMetrics(ctx.metrics()), tasks::add,
        new InetSocketAddress("127.0.0.1", 40001), actions::add);
    flood.handleIn(connect(5, "flood"));
    for (int i = 0; i < MqttChannel.EARLY_MAX; i++) {
      flood.handleIn(new MqttFrame.PingReq());
    }
    assertThat(actions).containsExactly(new Action.Reading(false));
    flood.handleIn(new MqttFrame.PingReq());
    assertThat(closed()).isTrue();
    assertThat(flood.state()).isEqualTo(MqttChannel.State.CLOSED);
    while (!tasks.isEmpty()) {
      tasks.poll().run();
    }
    assertThat(sent()).as("no CONNACK and no PINGRESP once closed").isEmpty();
  }

  @Test
  void keepalive_zero_disables_the_read_timer() {
    channel().handleIn(new Connect(4, "dev-1", true, 0, null, null, null, null, null, null, null));
    assertThat(actions).contains(new Action.KeepAlive(Duration.ZERO));
  }

  @Test
  void v5_connack_carries_the_server_limits_and_the_id_it_assigned_to_an_empty_client_id() {
    channel().handleIn(connect(5, ""));
    ConnAck ack = (ConnAck) sent().get(0);
    assertThat(ack.reasonCode()).isZero();
    assertThat(ack.properties().assignedClientId()).startsWith("estuary-").isEqualTo(ctx.lastSession().clientId());
    assertThat(ack.properties().receiveMaximum()).isEqualTo(100);
    assertThat(ack.properties().maximumPacketSize()).isEqualTo(1_048_576); // 1MB, 1024-based as in EMQX
    assertThat(ack.properties().maximumQos()).isNull();
  }

  @Test
  void v5_session_expiry_and_receive_maximum_reach_the_session_options_capped_by_max_inflight() {
    channel().handleIn(new Connect(5, "dev-1", false, 30, null, null, null, 300, 1000, null, null));
    var options = ctx.lastSession().options;
    assertThat(options.sessionExpiry()).isEqualTo(Duration.ofSeconds(300));
    assertThat(options.receiveMaximum()).isEqualTo(32);
    assertThat(options.cleanStart()).isFalse();
  }

  @Test
  void empty_client_id_with_a_persistent_session_is_refused_with_return_code_2_in_3_1_1() {
    channel().handleIn(new Connect(4, "", false, 30, null, null, null, null, null, null, null));
    assertThat(actions).containsExactly(new Action.SendThenClose(new ConnAck(0x02, false, null)));
    assertThat(ctx.sessions).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
      "INVALID_CLIENT_ID, 4, 2", "INVALID_CLIENT_ID, 5, 133",
      "RESERVED_CLIENT_ID, 4, 2", "RESERVED_CLIENT_ID, 5, 133",
      "NOT_OWNER, 4, 5", "NOT_OWNER, 5, 135",
      "UNAVAILABLE, 4, 3", "UNAVAILABLE, 5, 136"})
  void a_session_the_broker_refuses_is_answered_with_its_connack_code(SessionRefusedException.Reason reason, int version, int code) {
    ctx.refuseSessions = new SessionRefusedException(reason, "refused by the test");
    channel().handleIn(connect(version, "dev-1"));
    assertThat(actions).containsExactly(new Action.SendThenClose(new ConnAck(code, false, null)));
    assertThat(channel.state()).isEqualTo(MqttChannel.State.CLOSED);
  }

  @Test
  void client_ids_starting_with_dollar_are_left_to_the_brokers_rules() {
    channel().handleIn(connect(5, "$uplink/cloud"));
    assertThat(ctx.lastSession()).as("the core refuses it for every protocol, see SessionOwnershipTest").isNotNull();
  }

  @Test
  void bad_credentials_are_refused_with_4_in_3_1_1() {
    ctx.auth = AuthResult.badCredentials("wrong password");
    channel().handleIn(connect(4, "dev-1"));
    assertThat(actions).containsExactly(new Action.SendThenClose(new ConnAck(0x04, false, null)));
    assertThat(ctx.sessions).isEmpty();
    assertThat(ctx.counter("mqtt.auth.failures")).isEqualTo(1);
  }

  @Test
  void bad_credentials_are_refused_with_0x86_in_5() {
    ctx.auth = AuthResult.badCredentials("wrong password");
    channel().handleIn(connect(5, "dev-1"));
    assertThat(actions).containsExactly(new Action.SendThenClose(new ConnAck(0x86, false, null)));
  }

  @Test
  void a_client_not_authorized_is_refused_with_5_in_3_1_1_and_0x87_in_5() {
    ctx.auth = AuthResult.notAuthorized("banned");
    channel().handleIn(connect(4, "dev-1"));
    assertThat(sent()).containsExactly(new ConnAck(0x05, false, null));
    actions.clear();
    channel = null;
    channel().handleIn(connect(5, "dev-1"));
    assertThat(sent()).containsExactly(new ConnAck(0x87, false, null));
  }

  @Test
  void receive_maximum_zero_is_a_protocol_error_0x82() {
    channel().handleIn(new Connect(5, "dev-1", true, 30, null, null, null, null, 0, null, null));
    assertThat(actions).containsExactly(new Action.SendThenClose(new ConnAck(0x82, false, null)));
  }

  @Test
  void a_will_with_a_wildcard_topic_is_refused_with_0x90() {
    var will = new MqttFrame.Will("dead/+", new byte[] {1}, 1, false, null, null);
    channel().handleIn(new Connect(5, "dev-1", true, 30, null, null, will, null, null, null, null));
    assertThat(actions).containsExactly(new Action.SendThenClose(new ConnAck(0x90, false, null)));
  }

  @Test
  void a_second_connect_is_a_protocol_error_0x82_that_closes_the_session() {
    FakeSession s = connected(5, "twice");
    channel.handleIn(connect(5, "twice"));
    assertThat(actions).containsExactly(new Action.SendThenClose(new Disconnect(0x82)));
    assertThat(s.closed).isEqualTo(CloseReason.PROTOCOL_ERROR);
    assertThat(channel.state()).isEqualTo(MqttChannel.State.CLOSED);
  }

  @Test
  void a_packet_before_connect_closes_the_connection_without_an_answer() {
    channel().handleIn(new MqttFrame.PingReq());
    assertThat(actions).containsExactly(new Action.Close());
    assertThat(ctx.sessions).isEmpty();
  }

  @Test
  void an_unacceptable_protocol_version_is_answered_with_return_code_1() {
    channel().handleFrameError(new FrameError(FrameError.Kind.UNACCEPTABLE_PROTOCOL_VERSION, "level 9"));
    assertThat(actions).containsExactly(new Action.SendThenClose(new ConnAck(0x01, false, null)));
    assertThat(ctx.counter("mqtt.drops")).isEqualTo(1);
  }

  // ---- timers ---------------------------------------------------------------------------------

  @Test
  void keepalive_timeout_is_disconnect_0x8d_in_5_and_closes_the_session_with_its_will() {
    FakeSession s = connected(5, "sleepy");
    channel.handleTimeout();
    assertThat(actions).containsExactly(new Action.SendThenClose(new Disconnect(0x8D)));
    assertThat(s.closed).isEqualTo(CloseReason.KEEPALIVE_TIMEOUT);
    assertThat(s.closed.publishesWill()).isTrue();
  }

  @Test
  void keepalive_timeout_in_3_1_1_just_closes() {
    FakeSession s = connected(4, "sleepy");
    channel.handleTimeout();
    assertThat(actions).containsExactly(new Action.Close());
    assertThat(s.closed).isEqualTo(CloseReason.KEEPALIVE_TIMEOUT);
  }

  @Test
  void no_connect_within_the_idle_timeout_closes_without_a_packet() {
    channel().handleTimeout();
    assertThat(actions).containsExactly(new Action.Close());
    assertThat(ctx.sessions).isEmpty();
  }

  // ---- PUBLISH inbound ------------------------------------------------------------------------

  @Test
  void qos0_publish_is_routed_without_an_answer() {
    FakeSession s = connected(4, "pub");
    channel.handleIn(publish("a/b", 0, 0));
    assertThat(s.published).extracting(Message::topic).containsExactly("a/b");
    assertThat(actions).isEmpty();
  }

  @Test
  void qos1_publish_is_routed_then_acknowledged_with_puback() {
    FakeSession s = connected(4, "pub");
    channel.handleIn(publish("a/b", 1, 7));
    assertThat(s.published).extracting(Message::qos).containsExactly(1);
    assertThat(sent()).containsExactly(new PubAck(7, 0));
  }

  @Test
  void a_v5_puback_carries_the_brokers_refusal_as_a_reason_code() {
    FakeSession s = connected(5, "pub");
    s.outcome = new PublishOutcome(PublishOutcome.Status.NOT_AUTHORIZED, 0);
    channel.handleIn(publish("a/b", 1, 7));
    assertThat(sent()).containsExactly(new PubAck(7, 0x87));
  }

  @Test
  void qos2_publish_goes_to_the_exactly_once_flow_then_pubrec_and_pubrel_is_answered_with_pubcomp() {
    FakeSession s = connected(4, "pub");
    channel.handleIn(publish("a/b", 2, 9));
    assertThat(s.published).extracting(Message::qos).containsExactly(2);
    assertThat(sent()).containsExactly(new PubRec(9, 0));
    actions.clear();
    channel.handleIn(new PubRel(9, 0));
    assertThat(s.released).containsExactly(9);
    assertThat(sent()).containsExactly(new PubComp(9, 0));
  }

  @Test
  void a_publish_with_a_wildcard_topic_is_disconnected_with_0x90_in_5() {
    FakeSession s = connected(5, "pub");
    channel.handleIn(publish("a/+/b", 0, 0));
    assertThat(actions).containsExactly(new Action.SendThenClose(new Disconnect(0x90)));
    assertThat(s.published).isEmpty();
    assertThat(s.closed).isEqualTo(CloseReason.PROTOCOL_ERROR);
  }

  @Test
  void a_publish_above_max_qos_allowed_is_disconnected_with_0x9b() {
    limits = new MqttListenerLimits(1024 * 1024, 65535, 128, 1, 65535, true, true, true, true, 32, 100, Duration.ofHours(2), 1.5,
        Duration.ofSeconds(15));
    connected(5, "pub");
    channel.handleIn(publish("a/b", 2, 1));
    assertThat(actions).containsExactly(new Action.SendThenClose(new Disconnect(0x9B)));
  }

  @Test
  void an_inbound_topic_alias_is_bound_by_the_first_publish_and_resolved_by_the_next() {
    FakeSession s = connected(5, "alias");
    Payload p = Payload.copyOf(new byte[] {1});
    channel.handleIn(new Publish("long/topic/name", 0, 0, false, false, p, MessageProperties.NONE, 3, List.of()));
    channel.handleIn(new Publish("", 0, 0, false, false, p, MessageProperties.NONE, 3, List.of()));
    assertThat(s.published).extracting(Message::topic).containsExactly("long/topic/name", "long/topic/name");
  }

  @Test
  void an_unknown_inbound_topic_alias_is_a_protocol_error_0x82() {
    connected(5, "alias");
    channel.handleIn(new Publish("", 0, 0, false, false, Payload.EMPTY, MessageProperties.NONE, 4, List.of()));
    assertThat(actions).containsExactly(new Action.SendThenClose(new Disconnect(0x82)));
  }

  @Test
  void a_too_large_packet_after_connect_is_disconnect_0x95() {
    connected(5, "big");
    channel.handleFrameError(new FrameError(FrameError.Kind.TOO_LARGE, "remaining length 9999999"));
    assertThat(actions).containsExactly(new Action.SendThenClose(new Disconnect(0x95)));
  }

  // ---- SUBSCRIBE ------------------------------------------------------------------------------

  @Test
  void subscribe_is_answered_with_the_granted_qos_per_filter() {
    FakeSession s = connected(5, "sub");
    channel.handleIn(new Subscribe(4, 11, List.of(new TopicRequest("a/#", 1, true, false, 0), new TopicRequest("b", 2, false, false, 0))));
    assertThat(s.subscribed).extracting(x -> x.filter().value()).containsExactly("a/#", "b");
    assertThat(s.subscribed.get(0).noLocal()).isTrue();
    assertThat(s.subscribed.get(0).subscriptionId()).isEqualTo(11);
    assertThat(sent()).containsExactly(new SubAck(4, List.of(1, 2)));
  }

  @Test
  void the_mountpoint_goes_before_topics_and_filters_but_after_a_share_group() {
    mountpoint = "site1/";
    FakeSession s = connected(4, "mounted");
    channel.handleIn(publish("a/b", 0, 0));
    channel.handleIn(new Subscribe(1, null, List.of(new TopicRequest("x/#", 0, false, false, 0),
        new TopicRequest("$share/g/y/+", 0, false, false, 0))));
    assertThat(s.published).extracting(Message::topic).containsExactly("site1/a/b");
    assertThat(s.subscribed).extracting(x -> x.filter().value()).containsExactly("site1/x/#", "$share/g/site1/y/+");
    actions.clear();
    s.deliver(Message.of("site1/x/1", Payload.EMPTY, 0, false));
    assertThat(((Publish) sent().get(0)).topic()).isEqualTo("x/1");
  }

  @Test
  void unsuback_has_reason_codes_in_5_and_none_in_3_1_1() {
    FakeSession s = connected(5, "unsub");
    channel.handleIn(new Unsubscribe(6, List.of("a", "b")));
    assertThat(s.unsubscribed).hasSize(2);
    assertThat(sent()).as("0x11: the session had neither").containsExactly(new UnsubAck(6, List.of(0x11, 0x11)));
    channel = null;
    actions.clear();
    connected(4, "unsub3");
    channel.handleIn(new Unsubscribe(6, List.of("a")));
    assertThat(sent()).containsExactly(new UnsubAck(6, List.of()));
  }

  // ---- deliveries -----------------------------------------------------------------------------

  @Test
  void a_qos2_delivery_is_published_then_pubrec_is_reported_and_answered_with_pubrel_and_pubcomp_acknowledges() {
    FakeSession s = connected(4, "sub");
    Delivery d = s.deliver(Message.of("a/b", Payload.EMPTY, 2, false));
    Publish p = (Publish) sent().get(0);
    assertThat(p.qos()).isEqualTo(2);
    assertThat(p.packetId()).isEqualTo((int) d.id().value());
    actions.clear();
    channel.handleIn(new PubRec(p.packetId(), 0));
    assertThat(s.received).containsExactly(d.id());
    assertThat(sent()).containsExactly(new PubRel(p.packetId(), 0));
    channel.handleIn(new PubComp(p.packetId(), 0));
    channel.handleReadComplete(); // acknowledgements go to the session once per read burst
    assertThat(s.acknowledged).containsExactly(d.id());
  }

  @Test
  void the_pubacks_of_one_read_burst_reach_the_session_together_and_before_a_disconnect() {
    FakeSession s = connected(4, "sub");
    Delivery d1 = s.deliver(Message.of("a/b", Payload.EMPTY, 1, false));
    Delivery d2 = s.deliver(Message.of("a/b", Payload.EMPTY, 1, false));
    Delivery d3 = s.deliver(Message.of("a/b", Payload.EMPTY, 1, false));
    channel.handleIn(new PubAck((int) d1.id().value(), 0));
    channel.handleIn(new PubAck((int) d2.id().value(), 0));
    assertThat(s.acknowledged).isEmpty();
    channel.handleReadComplete();
    assertThat(s.acknowledged).containsExactly(d1.id(), d2.id());
    channel.handleIn(new PubAck((int) d3.id().value(), 0));
    channel.handleIn(new Disconnect(0));
    assertThat(s.acknowledged).containsExactly(d1.id(), d2.id(), d3.id());
    assertThat(s.closed).isEqualTo(CloseReason.NORMAL);
  }

  @Test
  void a_batch_of_deliveries_is_written_in_order_without_flushes_and_flushed_once_even_when_it_ends_with_qos0() {
    connected(4, "batch");
    List<Delivery> batch = List.of(
        new Delivery(new DeliveryId(1), Message.of("a/1", Payload.EMPTY, 1, false), false, false, List.of()),
        new Delivery(new DeliveryId(2), Message.of("a/2", Payload.EMPTY, 1, false), false, false, List.of()),
        new Delivery(new DeliveryId(0), Message.of("a/3", Payload.EMPTY, 0, false), false, false, List.of()));
    channel.deliver(batch);
    assertThat(actions).hasSize(4);
    assertThat(actions.subList(0, 3)).allSatisfy(a -> assertThat(((Action.Send) a).flush()).isFalse());
    assertThat(sent()).extracting(f -> ((Publish) f).topic()).containsExactly("a/1", "a/2", "a/3");
    assertThat(actions.get(3)).isEqualTo(new Action.Flush());
    actions.clear();
    channel.deliver(new Delivery(new DeliveryId(0), Message.of("a/4", Payload.EMPTY, 0, false), false, false, List.of()));
    assertThat(actions).as("one delivery alone is flushed with its write")
        .singleElement().satisfies(a -> assertThat(((Action.Send) a).flush()).isTrue());
  }

  @Test
  void a_batch_to_a_closed_connection_writes_nothing() {
    connected(4, "batch-gone");
    channel.handleClosed();
    actions.clear();
    channel.deliver(List.of(new Delivery(new DeliveryId(0), Message.of("a", Payload.EMPTY, 0, false), false, false, List.of())));
    assertThat(sent()).isEmpty();
  }

  @Test
  void a_qos2_redelivery_after_pubrec_sends_pubrel_not_publish() {
    FakeSession s = connected(4, "sub");
    channel.deliver(new Delivery(new DeliveryId(5), Message.of("a/b", Payload.EMPTY, 2, false), true, true, List.of()));
    assertThat(sent()).containsExactly(new PubRel(5, 0));
  }

  @Test
  void deliveries_to_a_v5_client_use_topic_aliases_up_to_the_clients_maximum() {
    channel().handleIn(new Connect(5, "aliases", true, 30, null, null, null, null, null, null, 1));
    FakeSession s = ctx.lastSession();
    actions.clear();
    s.deliver(Message.of("t/1", Payload.EMPTY, 0, false));
    s.deliver(Message.of("t/1", Payload.EMPTY, 0, false));
    s.deliver(Message.of("t/2", Payload.EMPTY, 0, false));
    assertThat(sent()).extracting(f -> ((Publish) f).topic() + "@" + ((Publish) f).topicAlias())
        .containsExactly("t/1@1", "@1", "t/2@null");
  }

  @Test
  void no_delivery_reaches_a_closed_connection() {
    FakeSession s = connected(4, "gone");
    channel.handleClosed();
    s.deliver(Message.of("a", Payload.EMPTY, 0, false));
    assertThat(actions).isEmpty();
    assertThat(s.closed).isEqualTo(CloseReason.TRANSPORT_ERROR);
  }

  @Test
  void a_full_transport_reports_no_credits() {
    connected(4, "slow");
    channel.handleWritable(false);
    assertThat(channel.credits()).isZero();
    channel.handleWritable(true);
    assertThat(channel.credits()).isPositive();
  }

  // ---- endings --------------------------------------------------------------------------------

  @Test
  void disconnect_with_reason_0x04_closes_the_session_asking_for_the_will() {
    FakeSession s = connected(5, "bye");
    channel.handleIn(new Disconnect(0x04));
    assertThat(s.closed).isEqualTo(CloseReason.NORMAL_WITH_WILL);
    assertThat(actions).containsExactly(new Action.Close());
  }

  @Test
  void a_normal_disconnect_closes_the_session_without_will() {
    FakeSession s = connected(4, "bye");
    channel.handleIn(new Disconnect(0));
    assertThat(s.closed).isEqualTo(CloseReason.NORMAL);
  }

  @Test
  void a_take_over_is_disconnect_0x8e_and_leaves_the_session_to_the_broker() {
    FakeSession s = connected(5, "dup");
    channel.sessionClosed(CloseReason.TAKEN_OVER);
    assertThat(actions).containsExactly(new Action.SendThenClose(new Disconnect(0x8E)));
    assertThat(s.closed).isNull();
  }

  @Test
  void adapter_shutdown_is_disconnect_0x8b_and_closes_the_session_with_server_shutdown() {
    FakeSession s = connected(5, "bye");
    channel.handleShutdown();
    assertThat(actions).containsExactly(new Action.SendThenClose(new Disconnect(0x8B)));
    assertThat(s.closed).isEqualTo(CloseReason.SERVER_SHUTDOWN);
  }

  @Test
  void an_exception_in_the_channels_own_code_is_counted_and_closes_the_connection() {
    FakeSession s = connected(4, "buggy");
    s.outcome = null; // the broker breaks its contract: the PUBACK continuation throws
    channel.handleIn(publish("a/b", 1, 3));
    assertThat(ctx.counter("mqtt.errors")).isEqualTo(1);
    assertThat(actions).containsExactly(new Action.Close());
    assertThat(s.closed).isEqualTo(CloseReason.TRANSPORT_ERROR);
  }
}
