package io.estuary.stomp.channel;

import static io.estuary.stomp.channel.ChannelFixture.frame;
import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.AuthResult;
import io.estuary.api.CloseReason;
import io.estuary.api.Payload;
import io.estuary.api.SessionRefusedException;
import io.estuary.api.UserProperty;
import io.estuary.stomp.codec.Command;
import io.estuary.stomp.codec.StompFrame;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StompChannelTest {
  private final ChannelFixture fx = new ChannelFixture();

  @Test
  void connects_with_the_highest_common_version_and_answers_version_server_session_and_heart_beat() {
    StompFrame c = fx.connect("accept-version", "1.0,1.1,1.2", "host", "localhost", "heart-beat", "0,0");
    assertThat(c.command()).isEqualTo(Command.CONNECTED);
    assertThat(c.header("version")).isEqualTo("1.2");
    assertThat(c.header("server")).startsWith("Estuary/");
    assertThat(c.header("session")).isEqualTo(fx.session().clientId()).startsWith("stomp-");
    assertThat(c.header("heart-beat")).isEqualTo("10000,10000");
    assertThat(fx.session().client.protocol()).isEqualTo("stomp");
    assertThat(fx.session().options.persistent()).isFalse();
  }

  @Test
  void a_connect_without_accept_version_speaks_1_0_and_has_no_heart_beats() {
    StompFrame c = fx.connect();
    assertThat(c.header("version")).isEqualTo("1.0");
    assertThat(c.header("heart-beat")).isNull();
  }

  @Test
  void the_stomp_command_connects_like_connect() {
    fx.channel.handleFrame(frame(Command.STOMP, "accept-version", "1.1"));
    assertThat(fx.out.last().header("version")).isEqualTo("1.1");
  }

  @Test
  void refuses_versions_it_does_not_speak_with_error_naming_its_own_and_closes() {
    StompFrame e = fx.connect("accept-version", "2.0");
    assertThat(e.command()).isEqualTo(Command.ERROR);
    assertThat(e.header("version")).isEqualTo("1.0,1.1,1.2");
    assertThat(fx.out.closed).isTrue();
    assertThat(fx.ctx.sessions).isEmpty();
  }

  @Test
  void a_frame_before_connect_is_answered_with_error_and_close() {
    fx.in(Command.SEND, "destination", "a", "receipt", "r1");
    assertThat(fx.out.last().command()).isEqualTo(Command.ERROR);
    assertThat(fx.out.last().header("receipt-id")).isEqualTo("r1");
    assertThat(fx.out.last().header("message")).contains("CONNECT");
    assertThat(fx.out.closed).isTrue();
  }

  @Test
  void login_and_passcode_go_to_the_core_authenticator_and_a_refusal_is_an_error() {
    fx.ctx.auth = AuthResult.badCredentials("no");
    StompFrame e = fx.connect("accept-version", "1.2", "login", "alice", "passcode", "wrong");
    assertThat(fx.ctx.authenticated).singleElement().satisfies(c -> {
      assertThat(c.username()).isEqualTo("alice");
      assertThat(new String(c.password())).isEqualTo("wrong");
      assertThat(c.protocol()).isEqualTo("stomp");
    });
    assertThat(e.command()).isEqualTo(Command.ERROR);
    assertThat(e.header("message")).isEqualTo("login refused");
    assertThat(fx.out.closed).isTrue();
    assertThat(fx.ctx.counter("stomp.auth.failures")).isEqualTo(1.0);
  }

  @Test
  void the_default_user_is_admitted_without_asking_the_authenticator() {
    fx.ctx.auth = AuthResult.badCredentials("no");
    assertThat(fx.connect("accept-version", "1.2", "login", "guest", "passcode", "guest").command())
        .isEqualTo(Command.CONNECTED);
    assertThat(fx.ctx.authenticated).isEmpty();
    assertThat(fx.session().client.username()).isEqualTo("guest");
  }

  @Test
  void anonymous_clients_are_refused_when_allow_anonymous_is_off() {
    var c = ChannelFixture.config("");
    ChannelFixture strict = new ChannelFixture(new io.estuary.stomp.StompConfig(c.limits(), false, "", "",
        c.heartbeatSend(), c.heartbeatReceive(), 2.0, c.idleTimeout(), "", 100, 32, 1000, 5, "", 0, 1, 2, 3,
        c.sessionExpiry(), java.util.List.of()));
    assertThat(strict.connect("accept-version", "1.2").command()).isEqualTo(Command.ERROR);
    assertThat(strict.ctx.sessions).isEmpty();
  }

  @Test
  void a_session_the_core_refuses_is_answered_with_error() {
    fx.ctx.refuseSessions = new SessionRefusedException(SessionRefusedException.Reason.NOT_OWNER, "owned");
    StompFrame e = fx.connect("accept-version", "1.2", "client-id", "dev1");
    assertThat(e.command()).isEqualTo(Command.ERROR);
    assertThat(e.header("message")).contains("another user");
    assertThat(fx.out.closed).isTrue();
  }

  @Test
  void a_client_id_header_opens_a_persistent_session_of_that_id() {
    fx.connect("accept-version", "1.2", "client-id", "dev1");
    assertThat(fx.session().clientId()).isEqualTo("dev1");
    assertThat(fx.session().options.persistent()).isTrue();
    assertThat(fx.session().options.cleanStart()).isFalse();
  }

  @Test
  void send_publishes_to_the_destination_topic_with_content_type_and_user_properties_then_receipts() {
    fx.connect("accept-version", "1.2");
    fx.channel.handleFrame(StompFrame.builder(Command.SEND).header("destination", "a/b").header("content-type",
        "text/plain").header("x-app", "1").header("receipt", "r7").body(Payload.utf8("hi")).build());
    var m = fx.session().published.get(0);
    assertThat(m.topic()).isEqualTo("a/b");
    assertThat(m.qos()).isEqualTo(1);
    assertThat(m.payload().asUtf8()).isEqualTo("hi");
    assertThat(m.properties().contentType()).isEqualTo("text/plain");
    assertThat(m.properties().userProperties()).containsExactly(new UserProperty("x-app", "1"));
    assertThat(fx.out.last().command()).isEqualTo(Command.RECEIPT);
    assertThat(fx.out.last().header("receipt-id")).isEqualTo("r7");
  }

  @Test
  void a_send_the_core_refuses_is_answered_with_error_and_counted() {
    fx.connect("accept-version", "1.2");
    fx.session().outcome = io.estuary.api.PublishOutcome.of(io.estuary.api.PublishOutcome.Status.NOT_AUTHORIZED);
    fx.in(Command.SEND, "destination", "secret");
    assertThat(fx.out.last().command()).isEqualTo(Command.ERROR);
    assertThat(fx.out.last().header("message")).contains("not authorized");
    assertThat(fx.ctx.counter("stomp.denied")).isEqualTo(1.0);
    assertThat(fx.session().closed).isEqualTo(CloseReason.PROTOCOL_ERROR);
  }

  @Test
  void a_send_without_destination_or_with_a_wildcard_is_an_error() {
    fx.connect("accept-version", "1.2");
    fx.in(Command.SEND);
    assertThat(fx.out.last().command()).isEqualTo(Command.ERROR);
    ChannelFixture other = new ChannelFixture();
    other.connect("accept-version", "1.2");
    other.in(Command.SEND, "destination", "a/#");
    assertThat(other.out.last().command()).isEqualTo(Command.ERROR);
  }

  @Test
  void subscribe_makes_a_core_subscription_with_the_destination_as_filter_and_messages_carry_stomp_headers() {
    fx.connect("accept-version", "1.2");
    fx.in(Command.SUBSCRIBE, "id", "s1", "destination", "sensors/+/temp", "ack", "client-individual", "receipt", "r");
    var sub = fx.session().subscribed.get(0);
    assertThat(sub.filter().value()).isEqualTo("sensors/+/temp");
    assertThat(sub.qos()).isEqualTo(1);
    assertThat(sub.subscriptionId()).isPositive();
    assertThat(fx.out.last().command()).isEqualTo(Command.RECEIPT);
    fx.deliver("sensors/+/temp", "21", 1);
    StompFrame m = fx.out.last();
    assertThat(m.command()).isEqualTo(Command.MESSAGE);
    assertThat(m.header("destination")).isEqualTo("sensors/x/temp");
    assertThat(m.header("subscription")).isEqualTo("s1");
    assertThat(m.header("message-id")).isNotNull();
    assertThat(m.header("ack")).isEqualTo(m.header("message-id"));
    assertThat(m.body().asUtf8()).isEqualTo("21");
  }

  @Test
  void ack_auto_subscriptions_take_the_configured_qos_and_need_no_ack() {
    fx.connect("accept-version", "1.2");
    fx.in(Command.SUBSCRIBE, "id", "s1", "destination", "t");
    assertThat(fx.session().subscribed.get(0).qos()).isZero();
    fx.deliver("t", "x", 0);
    assertThat(fx.out.last().header("ack")).isNull();
  }

  @Test
  void client_individual_acks_acknowledge_exactly_the_message_in_the_core() {
    fx.connect("accept-version", "1.2");
    fx.in(Command.SUBSCRIBE, "id", "s1", "destination", "t", "ack", "client-individual");
    var d1 = fx.deliver("t", "1", 1);
    String ack1 = fx.out.last().header("ack");
    var d2 = fx.deliver("t", "2", 1);
    String ack2 = fx.out.last().header("ack");
    fx.in(Command.ACK, "id", ack2);
    assertThat(fx.session().acknowledged).containsExactly(d2.id());
    fx.in(Command.ACK, "id", ack1);
    assertThat(fx.session().acknowledged).containsExactly(d2.id(), d1.id());
  }

  @Test
  void client_acks_are_cumulative() {
    fx.connect("accept-version", "1.2");
    fx.in(Command.SUBSCRIBE, "id", "s1", "destination", "t", "ack", "client");
    var d1 = fx.deliver("t", "1", 1);
    var d2 = fx.deliver("t", "2", 1);
    String ack2 = fx.out.last().header("ack");
    var d3 = fx.deliver("t", "3", 1);
    fx.in(Command.ACK, "id", ack2);
    assertThat(fx.session().acknowledged).containsExactly(d1.id(), d2.id());
    assertThat(fx.channel.unacknowledged()).isEqualTo(1);
    assertThat(d3).isNotNull();
  }

  @Test
  void stomp_1_1_acks_by_message_id() {
    fx.connect("accept-version", "1.1");
    fx.in(Command.SUBSCRIBE, "id", "s1", "destination", "t", "ack", "client-individual");
    var d = fx.deliver("t", "1", 1);
    assertThat(fx.out.last().header("ack")).as("the ack header is 1.2's").isNull();
    fx.in(Command.ACK, "message-id", fx.out.last().header("message-id"), "subscription", "s1");
    assertThat(fx.session().acknowledged).containsExactly(d.id());
  }

  @Test
  void no_more_than_max_unacked_messages_are_out_per_subscription() {
    ChannelFixture small = new ChannelFixture(ChannelFixture.config("", 2, 5));
    small.connect("accept-version", "1.2");
    small.in(Command.SUBSCRIBE, "id", "s1", "destination", "t", "ack", "client-individual");
    for (int i = 1; i <= 4; i++) {
      small.deliver("t", "m" + i, 1);
    }
    assertThat(small.out.of(Command.MESSAGE)).extracting(f -> f.body().asUtf8()).containsExactly("m1", "m2");
    small.in(Command.ACK, "id", small.out.of(Command.MESSAGE).get(0).header("ack"));
    assertThat(small.out.of(Command.MESSAGE)).extracting(f -> f.body().asUtf8()).containsExactly("m1", "m2", "m3");
  }

  @Test
  void a_nacked_message_comes_back_marked_redelivered_before_newer_waiting_ones() {
    ChannelFixture small = new ChannelFixture(ChannelFixture.config("", 1, 5));
    small.connect("accept-version", "1.2");
    small.in(Command.SUBSCRIBE, "id", "s1", "destination", "t", "ack", "client-individual");
    small.deliver("t", "m1", 1);
    small.deliver("t", "m2", 1);
    small.in(Command.NACK, "id", small.out.last().header("ack"));
    StompFrame again = small.out.last();
    assertThat(again.body().asUtf8()).isEqualTo("m1");
    assertThat(again.header("redelivered")).isEqualTo("true");
    assertThat(small.session().acknowledged).isEmpty();
    small.in(Command.ACK, "id", again.header("ack"));
    assertThat(small.out.last().body().asUtf8()).isEqualTo("m2");
    assertThat(small.out.last().header("redelivered")).isNull();
  }

  @Test
  void after_max_redeliveries_a_message_goes_to_the_dead_letter_topic_and_is_acknowledged() {
    ChannelFixture dl = new ChannelFixture(ChannelFixture.config("dead/letters", 32, 1));
    dl.connect("accept-version", "1.2");
    dl.in(Command.SUBSCRIBE, "id", "s1", "destination", "t", "ack", "client-individual");
    var d = dl.deliver("t", "poison", 1);
    dl.in(Command.NACK, "id", dl.out.last().header("ack"));
    assertThat(dl.out.last().header("redelivered")).isEqualTo("true");
    dl.in(Command.NACK, "id", dl.out.last().header("ack"));
    assertThat(dl.session().published).singleElement().satisfies(m -> {
      assertThat(m.topic()).isEqualTo("dead/letters");
      assertThat(m.payload().asUtf8()).isEqualTo("poison");
      assertThat(m.properties().userProperties()).contains(new UserProperty("x-original-destination", "t"));
    });
    assertThat(dl.session().acknowledged).containsExactly(d.id());
    assertThat(dl.ctx.counter("stomp.messages.dead_lettered")).isEqualTo(1.0);
  }

  @Test
  void without_a_dead_letter_topic_an_exhausted_message_is_dropped_and_counted() {
    ChannelFixture drop = new ChannelFixture(ChannelFixture.config("", 32, 0));
    drop.connect("accept-version", "1.2");
    drop.in(Command.SUBSCRIBE, "id", "s1", "destination", "t", "ack", "client-individual");
    var d = drop.deliver("t", "x", 1);
    drop.in(Command.NACK, "id", drop.out.last().header("ack"));
    assertThat(drop.session().acknowledged).containsExactly(d.id());
    assertThat(drop.ctx.counter("stomp.messages.dropped")).isEqualTo(1.0);
    assertThat(drop.out.of(Command.MESSAGE)).hasSize(1);
  }

  @Test
  void unsubscribe_removes_the_core_subscription_and_an_unknown_id_is_an_error() {
    fx.connect("accept-version", "1.2");
    fx.in(Command.SUBSCRIBE, "id", "s1", "destination", "t");
    fx.in(Command.UNSUBSCRIBE, "id", "s1", "receipt", "u");
    assertThat(fx.session().unsubscribed).extracting(Object::toString).containsExactly("t");
    assertThat(fx.out.last().command()).isEqualTo(Command.RECEIPT);
    fx.in(Command.UNSUBSCRIBE, "id", "nope");
    assertThat(fx.out.last().command()).isEqualTo(Command.ERROR);
  }

  @Test
  void two_subscriptions_of_one_destination_share_the_core_subscription_and_both_get_the_message() {
    fx.connect("accept-version", "1.2");
    fx.in(Command.SUBSCRIBE, "id", "a", "destination", "t");
    fx.in(Command.SUBSCRIBE, "id", "b", "destination", "t");
    assertThat(fx.session().subscribed).hasSize(1);
    fx.deliver("t", "x", 0);
    assertThat(fx.out.of(Command.MESSAGE)).extracting(f -> f.header("subscription")).containsExactly("a", "b");
    fx.in(Command.UNSUBSCRIBE, "id", "a");
    assertThat(fx.session().unsubscribed).isEmpty();
  }

  @Test
  void a_client_ack_subscription_upgrades_a_shared_core_subscription_and_an_auto_one_never_downgrades_it() {
    fx.connect("accept-version", "1.2");
    fx.in(Command.SUBSCRIBE, "id", "a", "destination", "t");
    fx.in(Command.SUBSCRIBE, "id", "b", "destination", "t", "ack", "client-individual");
    fx.in(Command.SUBSCRIBE, "id", "c", "destination", "t");
    assertThat(fx.session().subscribed).extracting(io.estuary.api.Subscription::qos).containsExactly(0, 1);
    assertThat(fx.session().subscribed).extracting(io.estuary.api.Subscription::subscriptionId).containsOnly(
        fx.session().subscribed.get(0).subscriptionId());
  }

  @Test
  void sends_and_acks_of_a_transaction_happen_only_at_commit_and_abort_forgets_them() {
    fx.connect("accept-version", "1.2");
    fx.in(Command.SUBSCRIBE, "id", "s1", "destination", "t", "ack", "client-individual");
    var d = fx.deliver("t", "x", 1);
    String ack = fx.out.last().header("ack");
    fx.in(Command.BEGIN, "transaction", "tx1");
    fx.in(Command.SEND, "destination", "out", "transaction", "tx1");
    fx.in(Command.ACK, "id", ack, "transaction", "tx1");
    assertThat(fx.session().published).isEmpty();
    assertThat(fx.session().acknowledged).isEmpty();
    fx.in(Command.COMMIT, "transaction", "tx1", "receipt", "c");
    assertThat(fx.session().published).hasSize(1);
    assertThat(fx.session().acknowledged).containsExactly(d.id());
    assertThat(fx.out.last().header("receipt-id")).isEqualTo("c");
    fx.in(Command.BEGIN, "transaction", "tx2");
    fx.in(Command.SEND, "destination", "out", "transaction", "tx2");
    fx.in(Command.ABORT, "transaction", "tx2");
    assertThat(fx.session().published).hasSize(1);
  }

  @Test
  void transactions_are_bounded_in_number_and_size() {
    fx.connect("accept-version", "1.2");
    fx.in(Command.BEGIN, "transaction", "a");
    fx.in(Command.SEND, "destination", "t", "transaction", "a");
    fx.in(Command.SEND, "destination", "t", "transaction", "a");
    fx.in(Command.SEND, "destination", "t", "transaction", "a");
    fx.in(Command.SEND, "destination", "t", "transaction", "a");
    assertThat(fx.out.last().command()).isEqualTo(Command.ERROR);
    assertThat(fx.out.last().header("message")).contains("more than 3 frames");
    ChannelFixture many = new ChannelFixture();
    many.connect("accept-version", "1.2");
    many.in(Command.BEGIN, "transaction", "a");
    many.in(Command.BEGIN, "transaction", "b");
    many.in(Command.BEGIN, "transaction", "c");
    assertThat(many.out.last().header("message")).contains("more than 2 open transactions");
  }

  @Test
  void a_send_in_an_unknown_transaction_is_an_error() {
    fx.connect("accept-version", "1.2");
    fx.in(Command.SEND, "destination", "t", "transaction", "ghost");
    assertThat(fx.out.last().command()).isEqualTo(Command.ERROR);
    assertThat(fx.session().published).isEmpty();
  }

  @Test
  void a_client_silent_past_its_heart_beat_times_the_multiplier_gets_error_and_is_closed() {
    StompFrame c = fx.connect("accept-version", "1.2", "heart-beat", "1000,0");
    assertThat(c.header("heart-beat")).isEqualTo("10000,10000");
    fx.clock.advance(Duration.ofSeconds(19));
    fx.channel.handleTick();
    assertThat(fx.out.closed).isFalse();
    fx.clock.advance(Duration.ofSeconds(1));
    fx.channel.handleTick();
    assertThat(fx.out.last().command()).isEqualTo(Command.ERROR);
    assertThat(fx.out.last().header("message")).contains("heart-beat");
    assertThat(fx.session().closed).isEqualTo(CloseReason.KEEPALIVE_TIMEOUT);
    assertThat(fx.ctx.counter("stomp.heartbeat.timeouts")).isEqualTo(1.0);
  }

  @Test
  void the_server_sends_heart_beats_when_it_has_written_nothing_for_the_negotiated_interval() {
    fx.connect("accept-version", "1.2", "heart-beat", "0,20000");
    fx.clock.advance(Duration.ofSeconds(19));
    fx.channel.handleTick();
    assertThat(fx.out.heartBeats).isZero();
    fx.clock.advance(Duration.ofSeconds(1));
    fx.channel.handleTick();
    assertThat(fx.out.heartBeats).isEqualTo(1);
    assertThat(fx.out.closed).isFalse();
  }

  @Test
  void a_connection_without_connect_in_idle_timeout_is_closed() {
    fx.clock.advance(Duration.ofSeconds(31));
    fx.channel.handleTick();
    assertThat(fx.out.closed).isTrue();
  }

  @Test
  void disconnect_with_a_receipt_answers_it_then_closes_the_session_normally() {
    fx.connect("accept-version", "1.2");
    fx.in(Command.DISCONNECT, "receipt", "bye");
    assertThat(fx.out.last().header("receipt-id")).isEqualTo("bye");
    assertThat(fx.out.closed).isTrue();
    assertThat(fx.session().closed).isEqualTo(CloseReason.NORMAL);
  }

  @Test
  void a_durable_subscription_keeps_its_unacked_messages_in_the_core_and_others_are_unsubscribed_at_close() {
    fx.connect("accept-version", "1.2", "client-id", "dev1");
    fx.in(Command.SUBSCRIBE, "id", "d", "destination", "keep", "ack", "client-individual", "persistent", "true");
    fx.in(Command.SUBSCRIBE, "id", "n", "destination", "drop", "ack", "client-individual");
    fx.deliver("keep", "k", 1);
    var dropped = fx.deliver("drop", "n", 1);
    fx.channel.handleClosed();
    assertThat(fx.session().acknowledged).as("only the non-durable one's message is released").containsExactly(dropped.id());
    assertThat(fx.session().unsubscribed).extracting(Object::toString).containsExactly("drop");
    assertThat(fx.session().closed).isEqualTo(CloseReason.TRANSPORT_ERROR);
  }

  @Test
  void a_durable_subscription_without_client_id_is_refused() {
    fx.connect("accept-version", "1.2");
    fx.in(Command.SUBSCRIBE, "id", "d", "destination", "t", "persistent", "true");
    assertThat(fx.out.last().command()).isEqualTo(Command.ERROR);
    assertThat(fx.out.last().header("message")).contains("client-id");
  }

  @Test
  void a_resumed_durable_sessions_redelivery_waits_for_the_subscribe_and_is_marked_redelivered() {
    fx.connect("accept-version", "1.2", "client-id", "dev1");
    fx.in(Command.SUBSCRIBE, "id", "d", "destination", "keep", "ack", "client-individual", "persistent", "true");
    int coreId = fx.session().subscribed.get(0).subscriptionId();
    ChannelFixture again = new ChannelFixture();
    again.connect("accept-version", "1.2", "client-id", "dev1");
    again.channel.deliver(new io.estuary.api.Delivery(new io.estuary.api.DeliveryId(9),
        io.estuary.api.Message.of("keep", Payload.utf8("k"), 1, false), true, false, java.util.List.of(coreId)));
    assertThat(again.out.of(Command.MESSAGE)).isEmpty();
    again.in(Command.SUBSCRIBE, "id", "d", "destination", "keep", "ack", "client-individual", "persistent", "true");
    assertThat(again.out.last().command()).isEqualTo(Command.MESSAGE);
    assertThat(again.out.last().header("redelivered")).isEqualTo("true");
  }

  @Test
  void nack_is_not_part_of_stomp_1_0() {
    fx.connect();
    fx.in(Command.NACK, "message-id", "1");
    assertThat(fx.out.last().command()).isEqualTo(Command.ERROR);
  }

  @Test
  void an_ack_of_an_unknown_message_is_ignored_and_counted() {
    fx.connect("accept-version", "1.2");
    fx.in(Command.ACK, "id", "404", "receipt", "r");
    assertThat(fx.out.last().command()).isEqualTo(Command.RECEIPT);
    assertThat(fx.ctx.counter("stomp.acks.unknown")).isEqualTo(1.0);
  }
}
