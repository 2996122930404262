package io.estuary.tcp.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.AuthResult;
import io.estuary.api.CloseReason;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.SessionRefusedException;
import io.estuary.api.Subscription;
import io.estuary.tcp.codec.Hex;
import io.estuary.testkit.FakeSession;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The EMQX-framing channel against a fake gateway: CONNECT/CONNACK codes, DATATRANS both ways, PING, errors. */
class EmqxChannelTest {
  private static final String CONNECT = "10 00 07 3c 00 04 61 62 63 64"; // reference: keepalive 60, client id abcd
  private static final String CONNACK_OK = "20 00 14 43 6f 6e 6e 65 63 74 20 53 75 63 63 65 73 73 66 75 6c 6c 79";
  private final Channels f = new Channels();

  private static int feed(DeviceChannel c, String hex) {
    return c.handleBytes(ByteBuffer.wrap(Hex.bytes(hex)));
  }

  @Test
  void reference_connect_opens_a_session_subscribed_to_the_down_topic_and_answers_the_reference_connack() {
    EmqxChannel c = f.emqx();
    assertThat(feed(c, CONNECT)).isEqualTo(10);
    assertThat(f.sent()).containsExactly(CONNACK_OK);
    FakeSession s = f.context.lastSession();
    assertThat(s.client.clientId()).isEqualTo("abcd");
    assertThat(s.client.protocol()).isEqualTo("tcp");
    assertThat(s.client.peer()).isEqualTo(f.peer);
    assertThat(s.options.keepAlive()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.subscribed).containsExactly(Subscription.of("tcp/abcd/dn", 0));
    assertThat(f.actions).contains(new Action.KeepAlive(Duration.ofSeconds(90)));
    assertThat(c.attributes()).containsEntry("framing", "emqx").containsEntry("peer", "192.0.2.7:40001");
  }

  @Test
  void username_and_password_from_connect_go_to_the_authenticator() {
    EmqxChannel c = f.emqx();
    feed(c, "10 00 13 3c 00 04 61 62 63 64 00 04 61 62 63 64 00 04 61 62 63 64");
    assertThat(f.context.authenticated.get(0).username()).isEqualTo("abcd");
    assertThat(new String(f.context.authenticated.get(0).password())).isEqualTo("abcd");
    assertThat(f.context.lastSession().client.username()).isEqualTo("abcd");
  }

  @Test
  void bad_credentials_are_answered_authfailed_0x21_and_the_connection_closes() {
    f.context.auth = AuthResult.badCredentials("wrong password");
    feed(f.emqx(), CONNECT);
    assertThat(f.sent()).containsExactly("21 00 00");
    assertThat(f.actions).singleElement().isInstanceOf(Action.SendThenClose.class);
    assertThat(f.context.sessions).isEmpty();
    assertThat(f.context.counter("tcp.auth.failures")).isEqualTo(1);
  }

  @Test
  void a_client_id_the_core_refuses_is_answered_authfailed() {
    f.context.refuseSessions = new SessionRefusedException(SessionRefusedException.Reason.INVALID_CLIENT_ID, "empty");
    feed(f.emqx(), "10 00 03 3c 00 00");
    assertThat(f.sent()).containsExactly("21 00 00");
    assertThat(f.closed()).isTrue();
  }

  @Test
  void an_unsupported_version_is_answered_illegalver_0x22() {
    feed(f.emqx(), "12 00 07 3c 00 04 61 62 63 64");
    assertThat(f.sent()).containsExactly("22 00 00");
    assertThat(f.context.authenticated).isEmpty();
  }

  @Test
  void datatrans_is_published_on_the_up_topic_with_the_configured_qos() {
    f.config = Channels.config("devices/${clientid}/up", "devices/${clientid}/dn", 1, 0, true);
    EmqxChannel c = f.emqx();
    assertThat(feed(c, CONNECT + " 30 00 04 61 62 63 63 30 00 00")).isEqualTo(10 + 7 + 3);
    FakeSession s = f.context.lastSession();
    assertThat(s.published).extracting(Message::topic).containsExactly("devices/abcd/up", "devices/abcd/up");
    assertThat(s.published.get(0).payload().asUtf8()).isEqualTo("abcc");
    assertThat(s.published.get(0).qos()).isEqualTo(1);
  }

  @Test
  void username_placeholders_expand_and_a_missing_username_is_empty() {
    f.config = Channels.config("u/%u/%c", "d/${username}", 0, 1, true);
    EmqxChannel c = f.emqx();
    feed(c, "10 00 0d 3c 00 04 61 62 63 64 00 04 75 73 65 72");
    FakeSession s = f.context.lastSession();
    assertThat(s.subscribed).containsExactly(Subscription.of("d/user", 1));
    feed(c, "30 00 01 41");
    assertThat(s.published.get(0).topic()).isEqualTo("u/user/abcd");
  }

  @Test
  void ping_is_answered_pong() {
    EmqxChannel c = f.emqx();
    feed(c, CONNECT);
    feed(c, "40");
    assertThat(f.sent()).containsExactly(CONNACK_OK, "50");
  }

  @Test
  void disconnect_ends_the_session_normally_without_will() {
    EmqxChannel c = f.emqx();
    feed(c, CONNECT + " 60");
    assertThat(f.context.lastSession().closed).isEqualTo(CloseReason.NORMAL);
    assertThat(f.actions.get(f.actions.size() - 1)).isEqualTo(new Action.Close());
  }

  @Test
  void down_topic_messages_are_written_as_datatrans_and_qos1_is_acknowledged_once_written() {
    EmqxChannel c = f.emqx();
    feed(c, CONNECT);
    FakeSession s = f.context.lastSession();
    s.deliver(Message.of("tcp/abcd/dn", Payload.utf8("hi"), 1, false));
    Action.Send send = (Action.Send) f.actions.get(f.actions.size() - 1);
    assertThat(Hex.of(send.bytes())).isEqualTo("30 00 02 68 69");
    assertThat(s.acknowledged).isEmpty();
    send.written().run();
    assertThat(s.acknowledged).hasSize(1);
  }

  @Test
  void datatrans_before_connect_closes_and_counts_a_protocol_error() {
    feed(f.emqx(), "30 00 01 41");
    assertThat(f.actions).containsExactly(new Action.Close());
    assertThat(f.context.counter("tcp.malformed")).isEqualTo(1);
    assertThat(f.context.sessions).isEmpty();
  }

  @Test
  void unknown_frame_types_close_the_connection_and_are_counted() {
    EmqxChannel c = f.emqx();
    feed(c, CONNECT);
    feed(c, "70 00 00");
    assertThat(f.context.lastSession().closed).isEqualTo(CloseReason.PROTOCOL_ERROR);
    assertThat(f.context.counter("tcp.malformed")).isEqualTo(1);
  }

  @Test
  void a_connack_or_second_connect_from_the_device_is_a_protocol_error() {
    EmqxChannel c = f.emqx();
    feed(c, CONNECT + " " + CONNECT);
    assertThat(f.context.lastSession().closed).isEqualTo(CloseReason.PROTOCOL_ERROR);
  }

  @Test
  void a_partial_frame_is_left_for_the_next_read() {
    EmqxChannel c = f.emqx();
    assertThat(feed(c, CONNECT + " 30 00 04 61")).isEqualTo(10);
    assertThat(f.context.lastSession().published).isEmpty();
  }

  @Test
  void keepalive_timeout_ends_the_session_with_its_will() {
    EmqxChannel c = f.emqx();
    feed(c, CONNECT);
    c.handleTimeout();
    assertThat(f.context.lastSession().closed).isEqualTo(CloseReason.KEEPALIVE_TIMEOUT);
    assertThat(f.context.counter("tcp.keepalive.timeouts")).isEqualTo(1);
  }

  @Test
  void frames_wait_undecoded_while_the_connection_is_unwritable_and_are_decoded_once_it_is_writable() {
    EmqxChannel c = f.emqx();
    feed(c, CONNECT + " 40");
    c.handleWritable(false); // the PONG went over the high water mark: the device does not read
    assertThat(c.paused()).isTrue();
    assertThat(feed(c, "40 40")).as("bytes left for the transport to hold").isZero();
    assertThat(f.sent()).containsExactly(CONNACK_OK, "50");
    assertThat(f.context.counter("tcp.reads.pausedreason,unwritable")).isEqualTo(1);
    c.handleWritable(true);
    assertThat(c.paused()).isFalse();
    assertThat(feed(c, "40 40")).isEqualTo(2);
    assertThat(f.sent()).containsExactly(CONNACK_OK, "50", "50", "50");
  }

  @Test
  void a_device_that_does_not_read_still_runs_out_of_keepalive() {
    EmqxChannel c = f.emqx();
    feed(c, CONNECT);
    c.handleWritable(false);
    c.handleTimeout(); // unlike a rate's pause, the device is the one not reading
    assertThat(f.context.lastSession().closed).isEqualTo(CloseReason.KEEPALIVE_TIMEOUT);
    assertThat(f.context.counter("tcp.keepalive.timeouts")).isEqualTo(1);
  }

  @Test
  void idle_timeout_before_connect_closes_without_a_session() {
    EmqxChannel c = f.emqx();
    c.handleTimeout();
    assertThat(f.actions).containsExactly(new Action.Close());
    assertThat(f.context.sessions).isEmpty();
  }

  @Test
  void a_persistent_session_is_asked_for_when_clean_start_is_off() {
    f.config = Channels.config("tcp/%c/up", "tcp/%c/dn", 0, 0, false);
    feed(f.emqx(), CONNECT);
    assertThat(f.context.lastSession().options.cleanStart()).isFalse();
    assertThat(f.context.lastSession().options.sessionExpiry()).isEqualTo(Duration.ofHours(2));
    assertThat(f.context.lastSession().options.queue().maxMessages()).isEqualTo(1000);
  }

  @Test
  void a_take_over_closes_the_older_connection() {
    EmqxChannel c = f.emqx();
    feed(c, CONNECT);
    c.sessionClosed(CloseReason.TAKEN_OVER);
    assertThat(f.actions.get(f.actions.size() - 1)).isEqualTo(new Action.Close());
    assertThat(c.state()).isEqualTo(DeviceChannel.State.CLOSED);
  }
}
