package io.estuary.mqttsn.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.CloseReason;
import io.estuary.cf.PeerIdentity;
import io.estuary.api.Payload;
import io.estuary.api.limits.Rate;
import io.estuary.mqttsn.MqttSnConfig;
import io.estuary.mqttsn.MqttSnLimits;
import io.estuary.mqttsn.MqttSnConfig.PredefinedTopic;
import io.estuary.mqttsn.channel.Action.Send;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
import io.estuary.testkit.FakeContext;
import io.estuary.testkit.MutableClock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MqttSnDispatcherTest {
  static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 1001);
  static final InetSocketAddress B = new InetSocketAddress("127.0.0.1", 1002);

  final FakeContext ctx = new FakeContext("mqttsn", new MutableClock());
  final List<Action> sent = new ArrayList<>();
  final MqttSnDispatcher d = new MqttSnDispatcher(
      MqttSnConfig.defaults().withPredefined(List.of(new PredefinedTopic(3, "p/three"))), ctx, "udp:default",
      Runnable::run, sent::addAll, new TopicIdStore(ctx));

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

  MqttSnDispatcher roaming() {
    return new MqttSnDispatcher(MqttSnConfig.defaults().withWakeupFromNewAddress(java.util.Set.of("udp:default")), ctx,
        "udp:default", Runnable::run, sent::addAll, new TopicIdStore(ctx));
  }

  @Test
  void wake_up_pingreq_from_a_new_port_moves_the_client_where_the_listener_allows_it() {
    MqttSnDispatcher r = roaming();
    r.onFrame(A, new Connect(false, true, 10, "c1"));
    r.onFrame(A, Disconnect.sleep(60));
    sent.clear();
    r.onFrame(B, new PingReq("c1"));
    assertThat(sent).containsExactly(new Send(B, new PingResp()));
    sent.clear();
    r.onFrame(A, new PingReq("")); // the old port is not the client any more
    assertThat(sent).isEmpty();
  }

  @Test
  void wake_up_pingreq_from_a_new_port_is_refused_by_default() {
    d.onFrame(A, new Connect(false, true, 10, "c1"));
    d.onFrame(A, Disconnect.sleep(60));
    sent.clear();
    d.onFrame(B, new PingReq("c1"));
    assertThat(sent).containsExactly(new Send(B, Disconnect.plain()));
    assertThat(ctx.counter("mqttsn.drops")).isEqualTo(1.0);
    sent.clear();
    d.onFrame(A, new PingReq("c1"));
    assertThat(sent).containsExactly(new Send(A, new PingResp()));
  }

  @Test
  void a_pingreq_for_an_active_client_from_another_address_never_moves_it() {
    MqttSnDispatcher r = roaming();
    r.onFrame(A, new Connect(false, true, 10, "c1"));
    sent.clear();
    r.onFrame(B, new PingReq("c1"));
    assertThat(sent).containsExactly(new Send(B, Disconnect.plain()));
    sent.clear();
    r.onFrame(A, new PingReq(""));
    assertThat(sent).containsExactly(new Send(A, new PingResp()));
  }

  @Test
  void a_connect_for_an_active_client_from_another_address_gets_congestion_and_the_session_stays() {
    d.onFrame(A, new Connect(false, true, 10, "c1"));
    sent.clear();
    d.onFrame(B, new Connect(false, true, 10, "c1"));
    assertThat(sent).containsExactly(new Send(B, new Connack(ReturnCode.REJECTED_CONGESTION)));
    assertThat(d.size()).isEqualTo(1);
    assertThat(ctx.sessions).hasSize(1);
    assertThat(ctx.sessions.get(0).closed).isNull();
  }

  @Test
  void a_connect_from_a_new_port_after_a_disconnect_is_a_new_channel() {
    d.onFrame(A, new Connect(false, true, 10, "c1"));
    d.onFrame(A, Disconnect.plain());
    sent.clear();
    d.onFrame(B, new Connect(false, true, 10, "c1"));
    assertThat(sent).containsExactly(new Send(B, new Connack(ReturnCode.ACCEPTED)));
    assertThat(d.size()).isEqualTo(1);
  }

  @Test
  void the_transports_channel_check_follows_connects_moves_and_closes_of_direct_clients_only() {
    MqttSnDispatcher r = roaming();
    assertThat(r.hasChannelAt(A)).isFalse();
    r.onFrame(A, new Connect(false, true, 10, "c1"));
    assertThat(r.hasChannelAt(A)).as("connected at A").isTrue();
    r.onFrame(A, Disconnect.sleep(60));
    r.onFrame(B, new PingReq("c1")); // wakes up from a new port
    assertThat(r.hasChannelAt(A)).as("moved away from A").isFalse();
    assertThat(r.hasChannelAt(B)).as("moved to B").isTrue();
    r.onFrame(B, Disconnect.plain());
    assertThat(r.hasChannelAt(B)).as("closed").isFalse();
    r.onFrame(A, via(7, new Connect(false, true, 10, "behind-forwarder")));
    assertThat(r.size()).isEqualTo(1);
    assertThat(r.hasChannelAt(A)).as("a forwarder's node is not a direct client at the forwarder's address").isFalse();
  }

  @Test
  void over_dtls_a_sleeper_wakes_from_a_new_address_only_with_its_identity() {
    MqttSnDispatcher r = new MqttSnDispatcher(MqttSnConfig.defaults().withWakeupFromNewAddress(java.util.Set.of("dtls:default")),
        ctx, "dtls:default", Runnable::run, sent::addAll, new TopicIdStore(ctx), io.estuary.cf.IdentityAs.NONE);
    r.onFrame(A, new Connect(false, true, 10, "c1"), PeerIdentity.psk("dev-1"));
    r.onFrame(A, Disconnect.sleep(60), PeerIdentity.psk("dev-1"));
    sent.clear();
    r.onFrame(B, new PingReq("c1"), PeerIdentity.psk("dev-2"));
    assertThat(sent).containsExactly(new Send(B, Disconnect.plain()));
    sent.clear();
    r.onFrame(B, new PingReq("c1"), new PeerIdentity("dev-1", "x509:dev-1"));
    assertThat(sent).as("a certificate CN spelled like the PSK identity is another identity")
        .containsExactly(new Send(B, Disconnect.plain()));
    sent.clear();
    r.onFrame(B, new PingReq("c1"), PeerIdentity.psk("dev-1"));
    assertThat(sent).containsExactly(new Send(B, new PingResp()));
  }

  @Test
  void a_retained_qos_minus_one_publish_is_dropped_unless_configured() {
    d.onFrame(A, new Publish(false, -1, true, new TopicRef.Predefined(3), 0, Payload.utf8("x")));
    assertThat(ctx.anonymous).isEmpty();
    assertThat(ctx.counter("mqttsn.drops")).isEqualTo(1.0);
    MqttSnDispatcher allowing = new MqttSnDispatcher(MqttSnConfig.defaults().withQosNeg1Retain(true)
        .withPredefined(List.of(new PredefinedTopic(3, "p/three"))), ctx, "udp:default", Runnable::run, sent::addAll,
        new TopicIdStore(ctx));
    allowing.onFrame(A, new Publish(false, -1, true, new TopicRef.Predefined(3), 0, Payload.utf8("x")));
    assertThat(ctx.anonymous).hasSize(1);
  }

  @Test
  void another_client_id_from_a_known_address_closes_the_old_client() {
    d.onFrame(A, new Connect(false, true, 10, "c1"));
    d.onFrame(A, new PingReq("")); // proven (on plain UDP the first client was half-open until now)
    d.onFrame(A, new Connect(false, true, 10, "c2"));
    assertThat(ctx.session("c1").closed).isEqualTo(CloseReason.TRANSPORT_ERROR);
    assertThat(ctx.session("c1").discarded).isFalse();
    assertThat(d.size()).isEqualTo(1);
  }

  @Test
  void another_client_id_from_a_half_open_address_discards_the_old_clients_new_session() {
    d.onFrame(A, new Connect(false, false, 10, "c1")); // clean = 0, never proven
    d.onFrame(A, new Connect(false, true, 10, "c2"));
    assertThat(ctx.session("c1").discarded).isTrue();
    assertThat(d.size()).isEqualTo(1);
    assertThat(d.halfOpen()).isEqualTo(1); // c2's, c1's left the table
  }

  @Test
  void a_backlog_of_half_open_channels_filled_at_once_expires_evenly_not_all_in_one_moment() {
    MutableClock clock = new MutableClock();
    long start = clock.millis();
    FakeContext c = new FakeContext("mqttsn", clock);
    MqttSnLimits.ListenerLimits l = MqttSnLimits.ListenerLimits.DEFAULTS;
    MqttSnLimits.ListenerLimits limits = new MqttSnLimits.ListenerLimits(l.maxConnections(), Rate.INFINITY,
        l.maxSources(), Rate.INFINITY, Rate.INFINITY, 40, Duration.ofSeconds(10), l.recbuf(), l.unknownAnswerRate(), 0,
        l.discardUnprovenSessions(), Rate.INFINITY, l.maxUnproven());
    MqttSnDispatcher dispatcher = new MqttSnDispatcher(
        MqttSnConfig.defaults().withLimits(MqttSnLimits.defaults().withListener("udp:default", limits)), c,
        "udp:default", Runnable::run, sent::addAll, new TopicIdStore(c));
    for (int i = 1; i <= 40; i++) { // a flood fills max_half_open in one moment
      dispatcher.onFrame(new InetSocketAddress("127.0.8." + i, 1000), new Connect(false, true, 30, "f" + i));
    }
    assertThat(dispatcher.halfOpen()).isEqualTo(40);
    clock.advance(Duration.ofMillis(9_750));
    dispatcher.tick();
    assertThat(dispatcher.halfOpen()).as("none due yet").isEqualTo(40);
    clock.advance(Duration.ofMillis(250));
    dispatcher.tick();
    // max_half_open per half_open_timeout (4/s), in steps of a twentieth: 2 now, then one a tick (250 ms)
    assertThat(dispatcher.halfOpen()).as("2 of the 40 due expire at once").isEqualTo(38);
    for (int t = 1; t <= 20; t++) {
      clock.advance(Duration.ofMillis(250));
      dispatcher.tick();
      assertThat(dispatcher.halfOpen()).as("tick %d", t).isEqualTo(38 - t);
    }
    for (int t = 0; t < 80 && dispatcher.halfOpen() > 0; t++) {
      clock.advance(Duration.ofMillis(250));
      dispatcher.tick();
    }
    assertThat(dispatcher.halfOpen()).as("all gone within a second timeout").isZero();
    assertThat(clock.millis() - start).as("within two timeouts of the CONNECTs").isLessThanOrEqualTo(20_000);
    assertThat(c.session("f1").discarded).isTrue();
    assertThat(c.session("f40").discarded).isTrue();
  }

  MqttSnDispatcher withMaxUnproven(FakeContext c, int max) {
    MqttSnLimits.ListenerLimits limits = MqttSnLimits.ListenerLimits.DEFAULTS.withMaxUnproven(max);
    return new MqttSnDispatcher(
        MqttSnConfig.defaults().withLimits(MqttSnLimits.defaults().withListener("udp:default", limits)), c,
        "udp:default", Runnable::run, sent::addAll, new TopicIdStore(c));
  }

  static InetSocketAddress spoofed(int i) {
    return new InetSocketAddress("127.0.9." + i, 1000);
  }

  /** REGISTER {@code topic}, then PUBLISH with the id the REGACK gave: the echo that proves the address. */
  void proveByEcho(MqttSnDispatcher u, InetSocketAddress at, String topic) {
    sent.clear();
    u.onFrame(at, new Register(0, 1, topic));
    Regack ack = sent.stream().map(a -> ((Send) a).frame()).filter(Regack.class::isInstance).map(Regack.class::cast)
        .findFirst().orElseThrow();
    u.onFrame(at, new Publish(false, 1, false, new TopicRef.Id(ack.topicId()), 2, Payload.utf8("x")));
  }

  @Test
  void beyond_max_unproven_the_oldest_promoted_client_that_never_proved_its_address_is_closed() {
    MqttSnDispatcher u = withMaxUnproven(ctx, 2);
    u.onFrame(A, new Connect(false, false, 60, "real"));
    proveByEcho(u, A, "t/real");
    assertThat(u.unproven()).as("proven by its echo").isZero();
    for (int i = 1; i <= 2; i++) { // blind spoofers: CONNECT, then a DISCONNECT with the longest sleep promotes
      u.onFrame(spoofed(i), new Connect(false, false, 65535, "s" + i));
      u.onFrame(spoofed(i), Disconnect.sleep(65535));
    }
    assertThat(u.unproven()).isEqualTo(2);
    assertThat(u.halfOpen()).isZero();
    sent.clear();
    u.onFrame(spoofed(3), new Connect(false, false, 65535, "s3"));
    u.onFrame(spoofed(3), new PingReq(""));
    assertThat(sent).contains(new Send(spoofed(1), Disconnect.plain()));
    assertThat(ctx.session("s1").discarded).as("the oldest unproven client's new session").isTrue();
    assertThat(ctx.session("s2").discarded).isFalse();
    assertThat(ctx.session("s2").closed).isNull();
    assertThat(ctx.session("real").closed).as("a proven client is never closed for max_unproven").isNull();
    assertThat(u.hasClient("s1")).isFalse();
    assertThat(u.size()).isEqualTo(3);
    assertThat(u.unproven()).isEqualTo(2);
    assertThat(ctx.counter("mqttsn.dropsreason,max_unproven")).isEqualTo(1.0);
  }

  @Test
  void a_client_that_echoes_a_value_of_ours_leaves_the_unproven_count_and_a_closed_one_too() {
    MqttSnDispatcher u = withMaxUnproven(ctx, 1);
    u.onFrame(spoofed(1), new Connect(false, true, 60, "c1"));
    u.onFrame(spoofed(1), new PingReq(""));
    assertThat(u.unproven()).isEqualTo(1);
    proveByEcho(u, spoofed(1), "t/c1");
    assertThat(u.unproven()).isZero();
    u.onFrame(spoofed(2), new Connect(false, true, 60, "c2"));
    u.onFrame(spoofed(2), new PingReq(""));
    assertThat(u.unproven()).isEqualTo(1);
    u.onFrame(spoofed(2), Disconnect.plain());
    assertThat(u.unproven()).isZero();
    u.onFrame(spoofed(3), new Connect(false, true, 60, "c3"));
    u.onFrame(spoofed(3), new PingReq(""));
    assertThat(ctx.session("c1").closed).isNull();
    assertThat(ctx.counter("mqttsn.dropsreason,max_unproven")).isZero();
  }

  /** CONNECT clean = 0, SUBSCRIBE, plain DISCONNECT: what a real persistent subscriber does, and a blind spoofer. */
  void subscribeAndLeave(MqttSnDispatcher u, InetSocketAddress at, String clientId) {
    u.onFrame(at, new Connect(false, false, 60, clientId));
    u.onFrame(at, new Subscribe(false, 1, 1, new TopicRef.Name("cmd/#")));
    u.onFrame(at, Disconnect.plain());
  }

  @Test
  void unproven_subscribers_sessions_kept_offline_by_a_disconnect_are_capped_by_max_unproven_until_they_expire() {
    MutableClock clock = new MutableClock();
    FakeContext c = new FakeContext("mqttsn", clock);
    MqttSnDispatcher u = withMaxUnproven(c, 2);
    subscribeAndLeave(u, spoofed(1), "k1");
    subscribeAndLeave(u, spoofed(2), "k2");
    assertThat(c.session("k1").closed).isEqualTo(CloseReason.NORMAL);
    assertThat(c.session("k2").discarded).isFalse();
    assertThat(u.unprovenOffline()).isEqualTo(2);
    subscribeAndLeave(u, spoofed(3), "k3");
    assertThat(c.session("k3").discarded).as("no place left: not kept offline").isTrue();
    assertThat(c.counter("mqttsn.dropsreason,max_unproven")).isEqualTo(1.0);
    // resuming its own session does not make room (the place renews), and a proven subscriber is always kept
    c.sessionPresent = true;
    subscribeAndLeave(u, spoofed(1), "k1");
    c.sessionPresent = false;
    assertThat(u.unprovenOffline()).isEqualTo(2);
    u.onFrame(A, new Connect(false, false, 60, "proven"));
    proveByEcho(u, A, "t/proven");
    u.onFrame(A, new Subscribe(false, 1, 5, new TopicRef.Name("cmd/#")));
    u.onFrame(A, Disconnect.plain());
    assertThat(c.session("proven").discarded).isFalse();
    assertThat(c.counter("mqttsn.dropsreason,max_unproven")).isEqualTo(1.0);
    // places run out with the session expiry (2 h): then a new one is kept again
    clock.advance(Duration.ofHours(2).plusSeconds(1));
    subscribeAndLeave(u, spoofed(4), "k4");
    assertThat(c.session("k4").discarded).isFalse();
    assertThat(u.unprovenOffline()).isEqualTo(1);
  }

  @Test
  void an_unproven_subscriber_that_misses_its_wake_up_leaves_no_session_behind_a_proven_one_is_kept() {
    MutableClock clock = new MutableClock();
    FakeContext c = new FakeContext("mqttsn", clock);
    MqttSnDispatcher u = withMaxUnproven(c, 10);
    u.onFrame(A, new Connect(false, false, 60, "blind")); // clean = 0
    u.onFrame(A, new Subscribe(false, 1, 1, new TopicRef.Name("cmd/#")));
    u.onFrame(A, Disconnect.sleep(10));
    u.onFrame(B, new Connect(false, false, 60, "real"));
    proveByEcho(u, B, "t/real");
    u.onFrame(B, new Subscribe(false, 1, 3, new TopicRef.Name("cmd/#")));
    u.onFrame(B, Disconnect.sleep(10));
    clock.advance(Duration.ofSeconds(16));
    u.tick();
    assertThat(c.session("blind").discarded).as("missed wake-up, never proved its address").isTrue();
    assertThat(c.session("real").discarded).isFalse();
    assertThat(c.session("real").closed).isEqualTo(CloseReason.SLEEP_TIMEOUT);
    assertThat(u.size()).isZero();
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

  // ------------------------------------------------------------------ DTLS identity and connection id

  MqttSnDispatcher dtls(io.estuary.cf.IdentityAs as) {
    return new MqttSnDispatcher(MqttSnConfig.defaults(), ctx, "dtls:default", Runnable::run, sent::addAll,
        new TopicIdStore(ctx), as);
  }

  @Test
  void identity_as_clientid_gives_an_empty_client_id_the_dtls_identity() {
    MqttSnDispatcher dd = dtls(io.estuary.cf.IdentityAs.CLIENTID);
    dd.onFrame(A, new Connect(false, true, 60, ""), PeerIdentity.psk("device-7"));
    assertThat(sent).containsExactly(new Send(A, new Connack(ReturnCode.ACCEPTED)));
    assertThat(ctx.lastSession().client.clientId()).isEqualTo("device-7");
    assertThat(ctx.lastSession().client.authIdentity()).isEqualTo("psk:device-7");
    assertThat(ctx.authenticated.get(0).certificateSubject()).isEqualTo("device-7");
    assertThat(ctx.authenticated.get(0).protocol()).isEqualTo("mqttsn-dtls");
  }

  @Test
  void identity_as_clientid_refuses_a_connect_naming_another_client() {
    MqttSnDispatcher dd = dtls(io.estuary.cf.IdentityAs.CLIENTID);
    dd.onFrame(A, new Connect(false, true, 60, "someone-else"), PeerIdentity.psk("device-7"));
    assertThat(sent).containsExactly(new Send(A, new Connack(ReturnCode.REJECTED_NOT_SUPPORTED)));
    assertThat(ctx.sessions).isEmpty();
    assertThat(dd.size()).isZero();
  }

  @Test
  void identity_as_username_keeps_the_client_id_and_authenticates_the_identity_as_username() {
    MqttSnDispatcher dd = dtls(io.estuary.cf.IdentityAs.USERNAME);
    dd.onFrame(A, new Connect(false, true, 60, "sensor"), PeerIdentity.psk("device-7"));
    assertThat(ctx.authenticated.get(0).username()).isEqualTo("device-7");
    assertThat(ctx.lastSession().client.clientId()).isEqualTo("sensor");
    assertThat(ctx.lastSession().client.username()).isEqualTo("device-7");
  }

  @Test
  void a_connection_id_rebinding_moves_the_client_to_its_new_address() {
    MqttSnDispatcher dd = dtls(io.estuary.cf.IdentityAs.NONE);
    dd.onFrame(A, new Connect(false, true, 60, "roamer"), PeerIdentity.psk("dev"));
    sent.clear();
    dd.rebind(A, B);
    dd.onFrame(B, new PingReq(""), PeerIdentity.psk("dev"));
    assertThat(sent).containsExactly(new Send(B, new PingResp()));
    assertThat(dd.size()).isEqualTo(1);
  }

  // ------------------------------------------------------------------ forwarder encapsulation (§5.5)

  static Encapsulated via(int node, io.estuary.mqttsn.codec.MqttSnFrame f) {
    return new Encapsulated(0, Payload.copyOf(new byte[] {(byte) node}), f);
  }

  @Test
  void clients_behind_one_forwarder_are_told_apart_by_node_id_and_answered_encapsulated() {
    d.onFrame(A, via(1, new Connect(false, true, 60, "node-1")));
    d.onFrame(A, via(2, new Connect(false, true, 60, "node-2")));
    assertThat(sent).containsExactly(
        new Send(A, via(1, new Connack(ReturnCode.ACCEPTED))),
        new Send(A, via(2, new Connack(ReturnCode.ACCEPTED))));
    assertThat(d.size()).isEqualTo(2);
    assertThat(ctx.sessions).hasSize(2);
    assertThat(ctx.lastSession().client.peer()).isEqualTo(A);
    sent.clear();
    d.onFrame(A, via(2, new PingReq("")));
    assertThat(sent).containsExactly(new Send(A, via(2, new PingResp())));
  }

  @Test
  void searchgw_through_a_forwarder_is_answered_through_it() {
    d.onFrame(A, via(7, new SearchGw(1)));
    assertThat(sent).containsExactly(new Send(A, via(7, new GwInfo(1, Payload.EMPTY))));
  }

  @Test
  void a_direct_client_and_a_forwarded_one_at_the_same_address_are_different_clients() {
    d.onFrame(A, new Connect(false, true, 60, "direct"));
    d.onFrame(A, via(1, new Connect(false, true, 60, "forwarded")));
    assertThat(d.size()).isEqualTo(2);
    assertThat(ctx.session("direct").closed).isNull();
  }
}
