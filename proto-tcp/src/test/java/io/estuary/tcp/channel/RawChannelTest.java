package io.estuary.tcp.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.CloseReason;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.tcp.TcpConfig.IdentitySource;
import io.estuary.tcp.codec.Framing;
import io.estuary.tcp.codec.Hex;
import io.estuary.testkit.FakeSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The configurable-framing channel: identity from config, every frame one message, downlink framed the same way. */
class RawChannelTest {
  private static final Framing LENGTH2 = new Framing.LengthField(0, 2, ByteOrder.BIG_ENDIAN, 0, 2, 1024);
  private final Channels f = new Channels();

  private static int feed(DeviceChannel c, byte[] bytes) {
    return c.handleBytes(ByteBuffer.wrap(bytes));
  }

  @Test
  void peer_address_identity_opens_the_session_at_once_and_every_frame_is_published() {
    RawChannel c = f.raw(LENGTH2, Channels.identity(IdentitySource.PEER_ADDRESS), null);
    FakeSession s = f.context.lastSession();
    assertThat(s.client.clientId()).isEqualTo("192.0.2.7");
    assertThat(feed(c, Hex.bytes("00 02 01 02 00 01 03 00"))).isEqualTo(7);
    assertThat(s.published).extracting(m -> Hex.of(m.payload().toByteArray())).containsExactly("01 02", "03");
    assertThat(s.published).extracting(Message::topic).containsOnly("tcp/192.0.2.7/up");
    assertThat(f.actions).contains(new Action.KeepAlive(Duration.ofSeconds(60)));
    assertThat(c.attributes()).containsEntry("framing", "length_field");
  }

  @Test
  void hello_regex_names_the_device_and_the_hello_frame_is_not_published() {
    RawChannel c = f.raw(Framing.Delimiter.line(100), Channels.identity(IdentitySource.HELLO_REGEX), null);
    assertThat(f.context.sessions).isEmpty();
    feed(c, "LOGIN ID=meter42\r\n$GPGGA,1\r\n".getBytes(StandardCharsets.US_ASCII));
    FakeSession s = f.context.lastSession();
    assertThat(s.client.clientId()).isEqualTo("meter42");
    assertThat(s.published).extracting(m -> m.payload().asUtf8()).containsExactly("$GPGGA,1");
  }

  @Test
  void hello_bytes_in_hex_name_the_device() {
    RawChannel c = f.raw(new Framing.Fixed(6), Channels.identity(IdentitySource.HELLO_BYTES), null);
    feed(c, Hex.bytes("00 de ad be ef 00"));
    assertThat(f.context.lastSession().client.clientId()).isEqualTo("deadbeef");
  }

  @Test
  void a_hello_frame_without_an_id_closes_and_counts() {
    RawChannel c = f.raw(Framing.Delimiter.line(100), Channels.identity(IdentitySource.HELLO_REGEX), null);
    feed(c, "hello\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(f.actions).containsExactly(new Action.Close());
    assertThat(f.context.counter("tcp.malformed")).isEqualTo(1);
  }

  @Test
  void certificate_cn_identity_uses_the_cn_and_proves_it_to_the_core() {
    f.raw(LENGTH2, Channels.identity(IdentitySource.CERTIFICATE_CN), "dev-7");
    FakeSession s = f.context.lastSession();
    assertThat(s.client.clientId()).isEqualTo("dev-7");
    assertThat(s.client.authIdentity()).isEqualTo("x509:dev-7");
    assertThat(f.context.authenticated.get(0).certificateSubject()).isEqualTo("dev-7");
  }

  @Test
  void certificate_cn_identity_without_a_certificate_is_refused() {
    f.raw(LENGTH2, Channels.identity(IdentitySource.CERTIFICATE_CN), null);
    assertThat(f.actions).containsExactly(new Action.Close());
    assertThat(f.context.sessions).isEmpty();
    assertThat(f.context.counter("tcp.auth.failures")).isEqualTo(1);
  }

  @Test
  void downlink_payloads_are_framed_like_uplink_and_unframeable_ones_are_dropped_and_counted() {
    f.raw(LENGTH2, Channels.identity(IdentitySource.PEER_ADDRESS), null);
    FakeSession s = f.context.lastSession();
    s.deliver(Message.of("tcp/192.0.2.7/dn", Payload.utf8("ok"), 0, false));
    assertThat(f.sent()).containsExactly("00 02 6f 6b");
    s.deliver(Message.of("tcp/192.0.2.7/dn", Payload.wrapOwned(new byte[2000]), 1, false));
    assertThat(f.sent()).hasSize(1);
    assertThat(f.context.counter("tcp.messages.dropped")).isEqualTo(1);
    assertThat(s.acknowledged).hasSize(1);
  }

  @Test
  void an_oversized_frame_closes_the_connection_and_is_counted() {
    RawChannel c = f.raw(LENGTH2, Channels.identity(IdentitySource.PEER_ADDRESS), null);
    feed(c, Hex.bytes("ff ff"));
    assertThat(f.context.lastSession().closed).isEqualTo(CloseReason.PROTOCOL_ERROR);
    assertThat(f.context.counter("tcp.malformed")).isEqualTo(1);
  }

  @Test
  void blank_lines_are_not_published() {
    RawChannel c = f.raw(Framing.Delimiter.line(100), Channels.identity(IdentitySource.PEER_ADDRESS), null);
    feed(c, "\r\n\r\na\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(f.context.lastSession().published).extracting(m -> m.payload().asUtf8()).containsExactly("a");
  }
}
