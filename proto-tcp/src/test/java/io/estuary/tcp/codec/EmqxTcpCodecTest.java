package io.estuary.tcp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.Payload;
import io.estuary.tcp.codec.FrameError.Kind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Byte-level tests of EMQX's TCP framing, including every example of the reference (EMQX "TCP Protocol"). */
class EmqxTcpCodecTest {
  private final EmqxTcpCodec codec = new EmqxTcpCodec(65535);

  private DecodeResult<TcpFrame> decode(String hex) {
    return codec.decode(ByteBuffer.wrap(Hex.bytes(hex)));
  }

  private TcpFrame ok(String hex) {
    DecodeResult<TcpFrame> r = decode(hex);
    assertThat(r).isInstanceOf(DecodeResult.Ok.class);
    assertThat(((DecodeResult.Ok<TcpFrame>) r).consumed()).isEqualTo(Hex.bytes(hex).length);
    return ((DecodeResult.Ok<TcpFrame>) r).value();
  }

  private FrameError.Kind error(String hex) {
    DecodeResult<TcpFrame> r = decode(hex);
    assertThat(r).isInstanceOf(DecodeResult.Failed.class);
    return ((DecodeResult.Failed<TcpFrame>) r).error().kind();
  }

  // reference, CONNECT: "Keepalive = 60, ClientId = abcd, Username, Password are undefined"
  @Test
  void reference_connect_example_without_username_decodes() {
    assertThat(ok("0x10 00 07 3c 00 04 61 62 63 64")).isEqualTo(new TcpFrame.Connect(0, 60, "abcd", null, null));
  }

  // reference, CONNECT: "Keepalive = 60, ClientId = abcd, Username = abcd, Password = abcd"
  @Test
  void reference_connect_example_with_username_and_password_decodes() {
    assertThat(ok("0x10 00 13 3c 00 04 61 62 63 64 00 04 61 62 63 64 00 04 61 62 63 64"))
        .isEqualTo(new TcpFrame.Connect(0, 60, "abcd", "abcd", "abcd".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void connect_examples_encode_to_the_reference_bytes() {
    assertThat(Hex.of(EmqxTcpCodec.encode(new TcpFrame.Connect(0, 60, "abcd", null, null))))
        .isEqualTo("10 00 07 3c 00 04 61 62 63 64");
    assertThat(Hex.of(EmqxTcpCodec.encode(new TcpFrame.Connect(0, 60, "abcd", "abcd", "abcd".getBytes()))))
        .isEqualTo("10 00 13 3c 00 04 61 62 63 64 00 04 61 62 63 64 00 04 61 62 63 64");
  }

  @Test
  void connect_header_0x11_carries_protocol_version_1_as_the_reference_text_says() {
    assertThat(((TcpFrame.Connect) ok("0x11 00 07 3c 00 04 61 62 63 64")).version()).isEqualTo(1);
  }

  // reference, CONNACK: code 0 (its comment says 1; the header 0x20 is code 0), message 'Connect Successfully'
  @Test
  void success_connack_is_the_reference_example_byte_for_byte() {
    assertThat(Hex.of(EmqxTcpCodec.encode(new TcpFrame.ConnAck(0, EmqxTcpCodec.CONNECT_SUCCESSFULLY))))
        .isEqualTo("20 00 14 43 6f 6e 6e 65 63 74 20 53 75 63 63 65 73 73 66 75 6c 6c 79");
    assertThat(ok("0x20 00 14 43 6f 6e 6e 65 63 74 20 53 75 63 63 65 73 73 66 75 6c 6c 79"))
        .isEqualTo(new TcpFrame.ConnAck(0, "Connect Successfully"));
  }

  // reference, CONNACK: "ACK Code = 1, Message = ''"
  @Test
  void auth_failure_connack_is_the_reference_example_0x21_00_00() {
    assertThat(Hex.of(EmqxTcpCodec.encode(new TcpFrame.ConnAck(1, "")))).isEqualTo("21 00 00");
    assertThat(ok("0x21 00 00")).isEqualTo(new TcpFrame.ConnAck(1, ""));
  }

  // reference, DATATRANS: "0x30 00 04 61 62 63 63" (its text says 'abcd'; the bytes are 'abcc')
  @Test
  void reference_datatrans_example_decodes_to_its_four_bytes() {
    TcpFrame.DataTrans d = (TcpFrame.DataTrans) ok("0x30 00 04 61 62 63 63");
    assertThat(d.qos()).isZero();
    assertThat(d.payload().asUtf8()).isEqualTo("abcc");
    assertThat(Hex.of(EmqxTcpCodec.encode(new TcpFrame.DataTrans(0, Payload.utf8("abcd"))))).isEqualTo("30 00 04 61 62 63 64");
  }

  @Test
  void reference_ping_pong_and_disconnect_are_single_bytes() {
    assertThat(ok("0x40")).isEqualTo(new TcpFrame.Ping());
    assertThat(ok("0x50")).isEqualTo(new TcpFrame.Pong());
    assertThat(ok("0x60")).isEqualTo(new TcpFrame.Disconnect());
    assertThat(EmqxTcpCodec.encode(new TcpFrame.Pong())).containsExactly(0x50);
  }

  @Test
  void a_frame_followed_by_more_bytes_consumes_only_itself() {
    DecodeResult<TcpFrame> r = decode("0x40 30 00 01 41");
    assertThat(((DecodeResult.Ok<TcpFrame>) r).consumed()).isEqualTo(1);
  }

  @Test
  void truncated_frames_need_more_at_every_split_point() {
    byte[] full = Hex.bytes("0x10 00 13 3c 00 04 61 62 63 64 00 04 61 62 63 64 00 04 61 62 63 64");
    for (int n = 0; n < full.length; n++) {
      assertThat(codec.decode(ByteBuffer.wrap(full, 0, n))).as("first %d bytes", n).isInstanceOf(DecodeResult.NeedMore.class);
    }
  }

  @Test
  void decode_reads_from_the_buffer_position_and_does_not_move_it() {
    ByteBuffer b = ByteBuffer.wrap(Hex.bytes("ff 40"));
    b.position(1);
    assertThat(codec.decode(b)).isEqualTo(new DecodeResult.Ok<TcpFrame>(new TcpFrame.Ping(), 1));
    assertThat(b.position()).isEqualTo(1);
  }

  @Test
  void frame_types_0_and_7_to_15_are_unknown() {
    assertThat(error("0x00")).isEqualTo(Kind.UNKNOWN_TYPE);
    for (int t = 7; t <= 15; t++) {
      assertThat(error(String.format("%x0 00 00", t))).isEqualTo(Kind.UNKNOWN_TYPE);
    }
  }

  @Test
  void ping_with_flags_is_malformed() {
    assertThat(error("0x41")).isEqualTo(Kind.MALFORMED);
    assertThat(error("0x6f")).isEqualTo(Kind.MALFORMED);
  }

  @Test
  void datatrans_with_reserved_bits_or_qos_3_is_malformed() {
    assertThat(error("0x31 00 00")).isEqualTo(Kind.MALFORMED);
    assertThat(error("0x3c 00 00")).isEqualTo(Kind.MALFORMED);
    assertThat(((TcpFrame.DataTrans) ok("0x34 00 00")).qos()).isEqualTo(1);
  }

  @Test
  void connect_without_keepalive_is_malformed() {
    assertThat(error("0x10 00 00")).isEqualTo(Kind.MALFORMED);
  }

  @Test
  void connect_without_client_id_is_malformed() {
    assertThat(error("0x10 00 01 3c")).isEqualTo(Kind.MALFORMED);
  }

  @Test
  void connect_whose_client_id_length_runs_past_the_payload_is_malformed() {
    assertThat(error("0x10 00 05 3c 00 04 61 62")).isEqualTo(Kind.MALFORMED);
  }

  @Test
  void connect_with_a_truncated_password_is_malformed() {
    assertThat(error("0x10 00 0d 3c 00 04 61 62 63 64 00 01 61 00 04 61")).isEqualTo(Kind.MALFORMED);
  }

  @Test
  void connect_with_bytes_after_the_password_is_malformed() {
    assertThat(error("0x10 00 0d 3c 00 01 61 00 01 61 00 01 61 ff ff ff")).isEqualTo(Kind.MALFORMED);
  }

  @Test
  void connect_with_a_client_id_that_is_not_utf8_is_malformed() {
    assertThat(error("0x10 00 05 3c 00 02 c3 28")).isEqualTo(Kind.MALFORMED);
  }

  @Test
  void a_payload_longer_than_the_configured_maximum_is_too_large_before_it_arrives() {
    EmqxTcpCodec small = new EmqxTcpCodec(16);
    assertThat(small.decode(ByteBuffer.wrap(Hex.bytes("0x30 00 11")))).isInstanceOf(DecodeResult.Failed.class);
    assertThat(((DecodeResult.Failed<TcpFrame>) small.decode(ByteBuffer.wrap(Hex.bytes("0x30 00 11")))).error().kind())
        .isEqualTo(Kind.TOO_LARGE);
    assertThat(small.decode(ByteBuffer.wrap(Hex.bytes("0x30 00 10")))).isInstanceOf(DecodeResult.NeedMore.class);
  }
}
