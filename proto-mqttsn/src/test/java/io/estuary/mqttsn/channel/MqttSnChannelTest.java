package io.estuary.mqttsn.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.AuthResult;
import io.estuary.api.CloseReason;
import io.estuary.api.Delivery;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.mqttsn.MqttSnConfig;
import io.estuary.mqttsn.MqttSnConfig.PredefinedTopic;
import io.estuary.mqttsn.channel.Action.Close;
import io.estuary.mqttsn.channel.Action.Send;
import io.estuary.mqttsn.codec.MqttSnFrame;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
import io.estuary.testkit.FakeContext;
import io.estuary.testkit.FakeSession;
import io.estuary.testkit.MutableClock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MqttSnChannelTest {
  static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 40000);

  final MutableClock clock = new MutableClock();
  final FakeContext ctx = new FakeContext("mqttsn", clock);
  final List<Action> async = new ArrayList<>();
  MqttSnConfig config = MqttSnConfig.defaults()
      .withPredefined(List.of(new PredefinedTopic(7, "sensors/predef")));
  MqttSnChannel ch;

  MqttSnChannel channel() {
    ch = new MqttSnChannel(config, ctx, "udp:default", PEER, Runnable::run, async::addAll,
        new TopicIdStore(ctx));
    return ch;
  }

  static List<MqttSnFrame> frames(List<Action> actions) {
    return actions.stream().filter(a -> a instanceof Send).map(a -> ((Send) a).frame()).collect(Collectors.toList());
  }

  FakeSession connected(String clientId) {
    channel();
    assertThat(frames(ch.handleIn(new Connect(false, true, 60, clientId))))
        .containsExactly(new Connack(ReturnCode.ACCEPTED));
    return ctx.lastSession();
  }

  static Publish publish(int qos, TopicRef t, int msgId, String data) {
    return new Publish(false, qos, false, t, msgId, Payload.utf8(data));
  }

  // ------------------------------------------------------------------ connect

  @Test
  void connect_opens_a_session_tagged_mqttsn_and_answers_connack_accepted() {
    FakeSession s = connected("dev1");
    assertThat(s.client.clientId()).isEqualTo("dev1");
    assertThat(s.client.protocol()).isEqualTo("mqttsn");
    assertThat(s.options.keepAlive()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.options.cleanStart()).isTrue();
    assertThat(ctx.authenticated.get(0).password()).isNull();
    assertThat(ctx.authenticated.get(0).protocol()).isEqualTo("mqttsn");
    assertThat(ch.state()).isEqualTo(MqttSnChannel.State.ACTIVE);
  }

  @Test
  void connect_without_clean_session_keeps_the_session_after_the_connection() {
    channel();
    ch.handleIn(new Connect(false, false, 60, "dev1"));
    assertThat(ctx.lastSession().options.persistent()).isTrue();
  }

  @Test
  void connect_with_will_asks_for_will_topic_and_message_before_connack() {
    channel();
    assertThat(frames(ch.handleIn(new Connect(true, true, 30, "dev1")))).containsExactly(new WillTopicReq());
    assertThat(frames(ch.handleIn(new WillTopic(1, true, "dev1/status")))).containsExactly(new WillMsgReq());
    assertThat(ctx.sessions).isEmpty();
    assertThat(frames(ch.handleIn(new WillMsg(Payload.utf8("gone"))))).containsExactly(new Connack(ReturnCode.ACCEPTED));
    assertThat(ctx.lastSession().options.will()).isEqualTo(Message.of("dev1/status", Payload.utf8("gone"), 1, true));
  }

  @Test
  void connect_with_will_and_empty_will_topic_has_no_will() {
    channel();
    ch.handleIn(new Connect(true, true, 30, "dev1"));
    assertThat(frames(ch.handleIn(new WillTopic(0, false, "")))).containsExactly(new Connack(ReturnCode.ACCEPTED));
    assertThat(ctx.lastSession().options.will()).isNull();
  }

  @Test
  void connect_rejected_by_the_authenticator_answers_connack_rejected_and_closes() {
    ctx.auth = AuthResult.notAuthorized("no");
    channel();
    List<Action> actions = ch.handleIn(new Connect(false, true, 60, "dev1"));
    assertThat(frames(actions)).containsExactly(new Connack(ReturnCode.REJECTED_NOT_SUPPORTED));
    assertThat(actions).contains(new Close("dev1"));
    assertThat(ctx.sessions).isEmpty();
  }

  @Test
  void connect_with_empty_client_id_is_rejected() {
    channel();
    assertThat(frames(ch.handleIn(new Connect(false, true, 60, ""))))
        .containsExactly(new Connack(ReturnCode.REJECTED_NOT_SUPPORTED));
  }

  @Test
  void frames_before_connect_are_dropped_and_counted() {
    channel();
    assertThat(ch.handleIn(new Subscribe(false, 0, 1, new TopicRef.Name("a")))).isEmpty();
    assertThat(ctx.counter("mqttsn.drops")).isEqualTo(1.0);
  }

  @Test
  void topic_ids_of_a_persistent_session_survive_a_gateway_restart() {
    channel();
    ch.handleIn(new Connect(false, false, 60, "dev1"));
    assertThat(frames(ch.handleIn(new Register(0, 1, "a/b")))).containsExactly(new Regack(1, 1, ReturnCode.ACCEPTED));
    // a new gateway process: a new channel, and the broker resumes the session
    ctx.sessionPresent = true;
    channel();
    ch.handleIn(new Connect(false, false, 60, "dev1"));
    assertThat(frames(ch.handleIn(publish(1, new TopicRef.Id(1), 2, "x"))))
        .containsExactly(new Puback(1, 2, ReturnCode.ACCEPTED));
    assertThat(ctx.lastSession().published.get(0).topic()).isEqualTo("a/b");
  }

  @Test
  void topic_ids_are_forgotten_when_the_broker_did_not_resume_the_session() {
    channel();
    ch.handleIn(new Connect(false, false, 60, "dev1"));
    ch.handleIn(new Register(0, 1, "a/b"));
    ctx.sessionPresent = false; // e.g. the session expired meanwhile
    channel();
    ch.handleIn(new Connect(false, false, 60, "dev1"));
    assertThat(frames(ch.handleIn(publish(1, new TopicRef.Id(1), 2, "x"))))
        .containsExactly(new Puback(1, 2, ReturnCode.REJECTED_INVALID_TOPIC_ID));
    assertThat(ctx.space("mqttsn-topic-ids").entries()).isEmpty();
  }

  @Test
  void clean_sessions_store_no_topic_ids() {
    connected("dev1");
    ch.handleIn(new Register(0, 1, "a/b"));
    assertThat(ctx.space("mqttsn-topic-ids").entries()).isEmpty();
  }

  // ------------------------------------------------------------------ publish from the client

  @Test
  void register_then_publish_qos1_by_topic_id_routes_and_acknowledges() {
    FakeSession s = connected("dev1");
    assertThat(frames(ch.handleIn(new Register(0, 5, "sensors/t1"))))
        .containsExactly(new Regack(1, 5, ReturnCode.ACCEPTED));
    assertThat(frames(ch.handleIn(publish(1, new TopicRef.Id(1), 6, "21.5"))))
        .containsExactly(new Puback(1, 6, ReturnCode.ACCEPTED));
    assertThat(s.published).containsExactly(Message.of("sensors/t1", Payload.utf8("21.5"), 1, false));
  }

  @Test
  void publish_to_an_unknown_topic_id_answers_invalid_topic_id() {
    FakeSession s = connected("dev1");
    assertThat(frames(ch.handleIn(publish(1, new TopicRef.Id(42), 6, "x"))))
        .containsExactly(new Puback(42, 6, ReturnCode.REJECTED_INVALID_TOPIC_ID));
    assertThat(s.published).isEmpty();
  }

  @Test
  void publish_with_predefined_id_and_short_name_needs_no_registration() {
    FakeSession s = connected("dev1");
    ch.handleIn(publish(0, new TopicRef.Predefined(7), 0, "a"));
    ch.handleIn(publish(0, new TopicRef.Short("ab"), 0, "b"));
    assertThat(s.published).extracting(Message::topic).containsExactly("sensors/predef", "ab");
  }

  @Test
  void publish_refused_by_the_broker_answers_not_supported_or_congestion() {
    FakeSession s = connected("dev1");
    s.outcome = io.estuary.api.PublishOutcome.of(io.estuary.api.PublishOutcome.Status.NOT_AUTHORIZED);
    assertThat(frames(ch.handleIn(publish(1, new TopicRef.Short("ab"), 3, "x"))))
        .containsExactly(new Puback(0x6162, 3, ReturnCode.REJECTED_NOT_SUPPORTED));
    s.outcome = io.estuary.api.PublishOutcome.of(io.estuary.api.PublishOutcome.Status.QUOTA_EXCEEDED);
    assertThat(frames(ch.handleIn(publish(1, new TopicRef.Short("ab"), 4, "x"))))
        .containsExactly(new Puback(0x6162, 4, ReturnCode.REJECTED_CONGESTION));
  }

  @Test
  void publish_qos2_answers_pubrec_then_pubcomp_on_pubrel() {
    FakeSession s = connected("dev1");
    assertThat(frames(ch.handleIn(publish(2, new TopicRef.Short("ab"), 9, "x")))).containsExactly(new Pubrec(9));
    assertThat(frames(ch.handleIn(new Pubrel(9)))).containsExactly(new Pubcomp(9));
    assertThat(s.released).containsExactly(9);
  }

  @Test
  void publish_qos_minus_one_without_connection_goes_through_the_context() {
    channel();
    ch.handleIn(publish(-1, new TopicRef.Predefined(7), 0, "anon"));
    ch.handleIn(publish(-1, new TopicRef.Short("zz"), 0, "anon2"));
    ch.handleIn(publish(-1, new TopicRef.Predefined(99), 0, "unknown"));
    assertThat(ctx.anonymous).extracting(Message::topic).containsExactly("sensors/predef", "zz");
    assertThat(ctx.anonymous.get(0).qos()).isZero();
  }

  @Test
  void publish_qos_minus_one_is_dropped_when_qos3_is_disabled() {
    config = config.withEnableQos3(false);
    channel();
    ch.handleIn(publish(-1, new TopicRef.Predefined(7), 0, "anon"));
    assertThat(ctx.anonymous).isEmpty();
  }

  @Test
  void mountpoint_prefixes_published_topics_and_is_stripped_from_deliveries() {
    config = config.withMountpoint("site/${clientid}/");
    FakeSession s = connected("dev1");
    ch.handleIn(publish(0, new TopicRef.Short("ab"), 0, "x"));
    assertThat(s.published.get(0).topic()).isEqualTo("site/dev1/ab");
    ch.handleIn(new Subscribe(false, 0, 1, new TopicRef.Name("cmd/#")));
    assertThat(s.subscribed.get(0).filter().value()).isEqualTo("site/dev1/cmd/#");
    s.deliver(Message.of("site/dev1/xy", Payload.utf8("c"), 0, false));
    assertThat(frames(async)).containsExactly(new Publish(false, 0, false, new TopicRef.Short("xy"), 0, Payload.utf8("c")));
  }

  // ------------------------------------------------------------------ subscribe

  @Test
  void subscribe_by_exact_name_returns_a_topic_id_and_wildcards_return_zero() {
    connected("dev1");
    assertThat(frames(ch.handleIn(new Subscribe(false, 1, 1, new TopicRef.Name("a/b")))))
        .containsExactly(new Suback(1, 1, 1, ReturnCode.ACCEPTED));
    assertThat(frames(ch.handleIn(new Subscribe(false, 2, 2, new TopicRef.Name("a/+")))))
        .containsExactly(new Suback(2, 0, 2, ReturnCode.ACCEPTED));
  }

  @Test
  void subscribe_by_predefined_id_and_short_name() {
    FakeSession s = connected("dev1");
    assertThat(frames(ch.handleIn(new Subscribe(false, 1, 1, new TopicRef.Predefined(7)))))
        .containsExactly(new Suback(1, 7, 1, ReturnCode.ACCEPTED));
    assertThat(frames(ch.handleIn(new Subscribe(false, 0, 2, new TopicRef.Short("ab")))))
        .containsExactly(new Suback(0, 0, 2, ReturnCode.ACCEPTED));
    assertThat(frames(ch.handleIn(new Subscribe(false, 0, 3, new TopicRef.Predefined(99)))))
        .containsExactly(new Suback(0, 0, 3, ReturnCode.REJECTED_INVALID_TOPIC_ID));
    assertThat(s.subscribed).extracting(x -> x.filter().value()).containsExactly("sensors/predef", "ab");
  }

  @Test
  void unsubscribe_answers_unsuback() {
    FakeSession s = connected("dev1");
    assertThat(frames(ch.handleIn(new Unsubscribe(4, new TopicRef.Name("a/#"))))).containsExactly(new Unsuback(4));
    assertThat(s.unsubscribed).extracting(f -> f.value()).containsExactly("a/#");
  }

  // ------------------------------------------------------------------ deliveries to the client

  @Test
  void delivery_on_an_unregistered_topic_sends_register_first_and_publish_after_regack() {
    FakeSession s = connected("dev1");
    ch.handleIn(new Subscribe(false, 1, 1, new TopicRef.Name("room/#")));
    Delivery d1 = s.deliver(Message.of("room/temp", Payload.utf8("20"), 1, false));
    s.deliver(Message.of("room/temp", Payload.utf8("21"), 0, false));
    assertThat(frames(async)).containsExactly(new Register(1, 1, "room/temp"));
    async.clear();
    assertThat(frames(ch.handleIn(new Regack(1, 1, ReturnCode.ACCEPTED)))).containsExactly(
        new Publish(false, 1, false, new TopicRef.Id(1), 2, Payload.utf8("20")),
        new Publish(false, 0, false, new TopicRef.Id(1), 0, Payload.utf8("21")));
    ch.handleIn(new Puback(1, 2, ReturnCode.ACCEPTED));
    assertThat(s.acknowledged).containsExactly(d1.id());
    // the next message on that topic needs no REGISTER
    s.deliver(Message.of("room/temp", Payload.utf8("22"), 0, false));
    assertThat(frames(async)).containsExactly(new Publish(false, 0, false, new TopicRef.Id(1), 0, Payload.utf8("22")));
  }

  @Test
  void delivery_on_a_predefined_topic_uses_the_predefined_id() {
    FakeSession s = connected("dev1");
    s.deliver(Message.of("sensors/predef", Payload.utf8("p"), 0, true));
    assertThat(frames(async)).containsExactly(new Publish(false, 0, true, new TopicRef.Predefined(7), 0, Payload.utf8("p")));
  }

  @Test
  void rejected_register_drops_the_waiting_deliveries() {
    FakeSession s = connected("dev1");
    Delivery d = s.deliver(Message.of("long/topic", Payload.utf8("x"), 1, false));
    assertThat(frames(ch.handleIn(new Regack(0, 1, ReturnCode.REJECTED_NOT_SUPPORTED)))).isEmpty();
    assertThat(s.acknowledged).containsExactly(d.id());
  }

  @Test
  void delivery_qos2_runs_pubrec_pubrel_pubcomp() {
    FakeSession s = connected("dev1");
    Delivery d = s.deliver(Message.of("ab", Payload.utf8("x"), 2, false));
    assertThat(frames(async)).containsExactly(new Publish(false, 2, false, new TopicRef.Short("ab"), 1, Payload.utf8("x")));
    assertThat(frames(ch.handleIn(new Pubrec(1)))).containsExactly(new Pubrel(1));
    assertThat(s.received).containsExactly(d.id());
    ch.handleIn(new Pubcomp(1));
    assertThat(s.acknowledged).containsExactly(d.id());
  }

  @Test
  void unacknowledged_publish_is_resent_with_dup_and_the_client_is_dropped_after_max_retries() {
    FakeSession s = connected("dev1");
    s.deliver(Message.of("ab", Payload.utf8("x"), 1, false));
    clock.advance(Duration.ofSeconds(11));
    ch.handleIn(new PingReq("")); // keep the connection alive
    assertThat(frames(ch.handleTimeout())).containsExactly(new Publish(true, 1, false, new TopicRef.Short("ab"), 1, Payload.utf8("x")));
    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofSeconds(11));
      ch.handleIn(new PingReq(""));
      ch.handleTimeout();
    }
    clock.advance(Duration.ofSeconds(11));
    ch.handleIn(new PingReq(""));
    assertThat(ch.handleTimeout()).contains(new Close("dev1"));
    assertThat(s.closed).isEqualTo(CloseReason.TRANSPORT_ERROR);
  }

  @Test
  void deliveries_arriving_while_a_subscribe_is_pending_follow_the_suback() {
    FakeSession s = connected("dev1");
    // the fake answers SUBSCRIBE synchronously, so check the order inside one step
    List<Action> actions = ch.handleIn(new Subscribe(false, 0, 1, new TopicRef.Name("xy")));
    assertThat(frames(actions)).containsExactly(new Suback(0, 1, 1, ReturnCode.ACCEPTED));
    s.deliver(Message.of("xy", Payload.utf8("r"), 0, true));
    assertThat(frames(async)).containsExactly(new Publish(false, 0, true, new TopicRef.Id(1), 0, Payload.utf8("r")));
  }

  // ------------------------------------------------------------------ keepalive, disconnect, will updates

  @Test
  void pingreq_answers_pingresp() {
    connected("dev1");
    assertThat(frames(ch.handleIn(new PingReq("")))).containsExactly(new PingResp());
  }

  @Test
  void keepalive_timeout_closes_the_session_so_the_will_goes_out() {
    FakeSession s = connected("dev1");
    clock.advance(Duration.ofSeconds(89));
    assertThat(ch.handleTimeout()).isEmpty();
    clock.advance(Duration.ofSeconds(2)); // 60 s × 1.5 passed
    assertThat(ch.handleTimeout()).containsExactly(new Close("dev1"));
    assertThat(s.closed).isEqualTo(CloseReason.KEEPALIVE_TIMEOUT);
  }

  @Test
  void disconnect_closes_the_session_normally() {
    FakeSession s = connected("dev1");
    assertThat(ch.handleIn(Disconnect.plain())).containsExactly(new Send(PEER, Disconnect.plain()), new Close("dev1"));
    assertThat(s.closed).isEqualTo(CloseReason.NORMAL);
  }

  @Test
  void will_topic_and_message_updates_replace_the_will() {
    FakeSession s = connected("dev1");
    assertThat(frames(ch.handleIn(new WillTopicUpd(1, false, "dev1/will"))))
        .containsExactly(new WillTopicResp(ReturnCode.ACCEPTED));
    assertThat(frames(ch.handleIn(new WillMsgUpd(Payload.utf8("bye")))))
        .containsExactly(new WillMsgResp(ReturnCode.ACCEPTED));
    ch.handleIn(new WillTopicUpd(0, false, ""));
    assertThat(s.wills).containsExactly(
        Message.of("dev1/will", Payload.EMPTY, 1, false),
        Message.of("dev1/will", Payload.utf8("bye"), 1, false),
        Message.of("<none>", Payload.EMPTY, 0, false));
  }

  @Test
  void broker_closing_the_session_sends_disconnect() {
    FakeSession s = connected("dev1");
    s.sink.sessionClosed(CloseReason.TAKEN_OVER);
    assertThat(async).containsExactly(new Send(PEER, Disconnect.plain()), new Close("dev1"));
  }

  // ------------------------------------------------------------------ sleeping clients (§6.14)

  @Test
  void disconnect_with_duration_puts_the_session_to_sleep() {
    FakeSession s = connected("dev1");
    assertThat(frames(ch.handleIn(Disconnect.sleep(120)))).containsExactly(Disconnect.plain());
    assertThat(s.events).containsExactly("sleep");
    assertThat(s.closed).isNull();
    assertThat(ch.state()).isEqualTo(MqttSnChannel.State.ASLEEP);
    // the channel owns the sleep deadline: the duration times the keepalive multiplier (1.5)
    clock.advance(Duration.ofSeconds(179));
    assertThat(ch.handleTimeout()).isEmpty();
    clock.advance(Duration.ofSeconds(2));
    assertThat(ch.handleTimeout()).containsExactly(new Close("dev1"));
    assertThat(s.closed).isEqualTo(CloseReason.SLEEP_TIMEOUT);
  }

  @Test
  void wakes_sleeping_client_and_flushes_buffer_in_order_before_pingresp() {
    FakeSession s = connected("dev1");
    ch.handleIn(new Subscribe(false, 1, 1, new TopicRef.Name("cmd/#")));
    ch.handleIn(Disconnect.sleep(120));
    Delivery d1 = s.deliver(Message.of("cmd/a", Payload.utf8("1"), 1, false));
    Delivery d2 = s.deliver(Message.of("cmd/a", Payload.utf8("2"), 1, false));
    assertThat(async).isEmpty();

    assertThat(frames(ch.handleIn(new PingReq("dev1")))).containsExactly(new Register(1, 1, "cmd/a"));
    assertThat(frames(ch.handleIn(new Regack(1, 1, ReturnCode.ACCEPTED)))).containsExactly(
        new Publish(false, 1, false, new TopicRef.Id(1), 2, Payload.utf8("1")),
        new Publish(false, 1, false, new TopicRef.Id(1), 3, Payload.utf8("2")));
    assertThat(frames(ch.handleIn(new Puback(1, 2, ReturnCode.ACCEPTED)))).isEmpty();
    assertThat(frames(ch.handleIn(new Puback(1, 3, ReturnCode.ACCEPTED)))).containsExactly(new PingResp());
    assertThat(s.acknowledged).containsExactly(d1.id(), d2.id());
    assertThat(s.events).containsExactly("sleep", "wake", "sleep");
    assertThat(ch.state()).isEqualTo(MqttSnChannel.State.ASLEEP);
  }

  @Test
  void wake_with_nothing_buffered_answers_pingresp_at_once() {
    FakeSession s = connected("dev1");
    ch.handleIn(Disconnect.sleep(60));
    assertThat(frames(ch.handleIn(new PingReq("dev1")))).containsExactly(new PingResp());
    assertThat(s.events).containsExactly("sleep", "wake", "sleep");
  }

  @Test
  void missed_wake_deadline_closes_with_sleep_timeout() {
    FakeSession s = connected("dev1");
    ch.handleIn(Disconnect.sleep(100));
    clock.advance(Duration.ofSeconds(149));
    assertThat(ch.handleTimeout()).isEmpty();
    clock.advance(Duration.ofSeconds(2));
    assertThat(ch.handleTimeout()).containsExactly(new Close("dev1"));
    assertThat(s.closed).isEqualTo(CloseReason.SLEEP_TIMEOUT);
  }

  @Test
  void connect_from_sleep_returns_to_active_with_a_new_session() {
    FakeSession s = connected("dev1");
    ch.handleIn(Disconnect.sleep(100));
    assertThat(frames(ch.handleIn(new Connect(false, false, 60, "dev1")))).containsExactly(new Connack(ReturnCode.ACCEPTED));
    assertThat(s.closed).isEqualTo(CloseReason.NORMAL);
    assertThat(ctx.sessions).hasSize(2);
    assertThat(ch.state()).isEqualTo(MqttSnChannel.State.ACTIVE);
  }

  @Test
  void handshake_that_never_completes_is_dropped_after_idle_timeout() {
    channel();
    ch.handleIn(new Connect(true, true, 60, "dev1"));
    clock.advance(Duration.ofSeconds(31));
    assertThat(ch.handleTimeout()).containsExactly(new Close("dev1"));
  }

  // ------------------------------------------------------------------ listing (DeliverySink.attributes)

  @Test
  void listing_names_the_states_active_asleep_awake_and_counts_buffered_messages() {
    FakeSession s = connected("dev1");
    ch.handleIn(new Register(0, 1, "a/b"));
    ch.handleIn(new Subscribe(false, 1, 2, new TopicRef.Name("cmd/#")));
    assertThat(s.sink.attributes()).containsEntry("state", "active").containsEntry("buffered", 0)
        .containsEntry("topic_ids", java.util.Map.of("a/b", 1));
    ch.handleIn(Disconnect.sleep(120));
    s.deliver(Message.of("cmd/x", Payload.utf8("1"), 1, false));
    s.deliver(Message.of("cmd/x", Payload.utf8("2"), 1, false));
    assertThat(s.sink.attributes()).containsEntry("state", "asleep").containsEntry("buffered", 2);
    ch.handleIn(new PingReq("dev1")); // REGISTER cmd/x goes out, both messages wait for its REGACK
    assertThat(s.sink.attributes()).containsEntry("state", "awake").containsEntry("buffered", 2)
        .containsEntry("topic_ids", java.util.Map.of("a/b", 1, "cmd/x", 2));
    ch.handleIn(new Regack(2, 1, ReturnCode.ACCEPTED));
    ch.handleIn(new Puback(2, 2, ReturnCode.ACCEPTED));
    ch.handleIn(new Puback(2, 3, ReturnCode.ACCEPTED));
    assertThat(s.sink.attributes()).containsEntry("state", "asleep").containsEntry("buffered", 0);
  }

  @Test
  void listing_names_a_client_that_missed_its_wake_up_lost() {
    FakeSession s = connected("dev1");
    ch.handleIn(Disconnect.sleep(10));
    clock.advance(Duration.ofSeconds(16));
    ch.handleTimeout();
    assertThat(s.sink.attributes()).containsEntry("state", "lost");
    assertThat(ch.clientState()).isEqualTo("lost");
  }

  @Test
  void listing_names_a_client_that_said_disconnect_disconnected_not_lost() {
    FakeSession s = connected("dev1");
    ch.handleIn(Disconnect.plain());
    assertThat(s.sink.attributes()).containsEntry("state", "disconnected");
  }

  // ------------------------------------------------------------------ topic-id store off the event loop

  /** An executor that runs nothing until the test says so. */
  static final class ManualIo implements java.util.concurrent.Executor {
    final java.util.ArrayDeque<Runnable> tasks = new java.util.ArrayDeque<>();
    boolean running;

    @Override
    public void execute(Runnable r) {
      tasks.add(r);
    }

    void runAll() {
      running = true;
      try {
        while (!tasks.isEmpty()) {
          tasks.poll().run();
        }
      } finally {
        running = false;
      }
    }
  }

  /** A channel whose context runs every key-value operation on {@code io}, i.e. only when the test says. */
  MqttSnChannel channelWithIo(ManualIo io) {
    ctx.storeExecutor = io;
    ch = new MqttSnChannel(config, ctx, "udp:default", PEER, Runnable::run, async::addAll, new TopicIdStore(ctx));
    return ch;
  }

  @Test
  void resumed_session_reads_its_topic_ids_on_the_store_executor_and_answers_connack_after() {
    ctx.sessionPresent = true;
    ManualIo io = new ManualIo();
    channelWithIo(io);
    ctx.space("mqttsn-topic-ids").table.put("4:dev1:9", "a/b".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(frames(ch.handleIn(new Connect(false, false, 60, "dev1")))).as("no CONNACK before the ids are read")
        .isEmpty();
    FakeSession s = ctx.lastSession();
    s.deliver(Message.of("a/b", Payload.utf8("early"), 0, false)); // held until CONNACK
    assertThat(async).isEmpty();
    io.runAll();
    assertThat(frames(async)).containsExactly(new Connack(ReturnCode.ACCEPTED),
        new Publish(false, 0, false, new TopicRef.Id(9), 0, Payload.utf8("early")));
    assertThat(s.sink.attributes()).containsEntry("topic_ids", java.util.Map.of("a/b", 9));
  }

  @Test
  void new_topic_ids_are_written_on_the_store_executor_in_order() {
    ManualIo io = new ManualIo();
    channelWithIo(io);
    ch.handleIn(new Connect(false, false, 60, "dev1"));
    assertThat(frames(ch.handleIn(new Register(0, 1, "a/b")))).containsExactly(new Regack(1, 1, ReturnCode.ACCEPTED));
    ch.handleIn(new Register(0, 2, "c/d"));
    assertThat(ctx.space("mqttsn-topic-ids").entries()).as("nothing written on the loop").isEmpty();
    io.runAll();
    assertThat(ctx.space("mqttsn-topic-ids").entries()).containsOnlyKeys("4:dev1:1", "4:dev1:2");
  }

  @Test
  void a_channel_closed_while_its_ids_load_closes_the_opened_session() {
    ctx.sessionPresent = true;
    ManualIo io = new ManualIo();
    channelWithIo(io);
    ch.handleIn(new Connect(false, false, 60, "dev1"));
    ch.shutdown();
    io.runAll();
    assertThat(ctx.lastSession().closed).isEqualTo(CloseReason.SERVER_SHUTDOWN);
    assertThat(frames(async)).doesNotContain(new Connack(ReturnCode.ACCEPTED));
  }
}
