package io.estuary.stomp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.stomp.codec.DecodeResult.Decoded;
import io.estuary.stomp.codec.DecodeResult.FrameError;
import io.estuary.stomp.codec.DecodeResult.HeartBeat;
import io.estuary.stomp.codec.DecodeResult.Kind;
import io.estuary.api.Payload;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StompCodecTest {
  private final StompCodec codec = new StompCodec(FrameLimits.EMQX_DEFAULTS);

  private DecodeResult decode(String s, StompVersion v) {
    return codec.decode(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)), v);
  }

  private StompFrame frame(String s, StompVersion v) {
    DecodeResult r = decode(s, v);
    assertThat(r).isInstanceOf(Decoded.class);
    return ((Decoded) r).frame();
  }

  private Kind error(String s) {
    DecodeResult r = decode(s, StompVersion.V1_2);
    assertThat(r).isInstanceOf(FrameError.class);
    return ((FrameError) r).kind();
  }

  @Test
  void decodes_a_send_frame_with_its_headers_in_order_and_its_body() {
    StompFrame f = frame("SEND\ndestination:a/b\nx:1\nx:2\n\nhello\0", StompVersion.V1_2);
    assertThat(f.command()).isEqualTo(Command.SEND);
    assertThat(f.header("destination")).isEqualTo("a/b");
    assertThat(f.header("x")).as("the first of repeated headers wins").isEqualTo("1");
    assertThat(f.headers()).hasSize(3);
    assertThat(f.body().asUtf8()).isEqualTo("hello");
  }

  @Test
  void reports_the_bytes_a_frame_took_so_the_next_one_can_follow() {
    String two = "SEND\ndestination:a\n\nx\0SEND\ndestination:b\n\ny\0";
    Decoded d = (Decoded) decode(two, StompVersion.V1_2);
    assertThat(d.consumed()).isEqualTo("SEND\ndestination:a\n\nx\0".length());
  }

  @Test
  void accepts_crlf_line_ends() {
    StompFrame f = frame("SEND\r\ndestination:a\r\n\r\nbody\0", StompVersion.V1_2);
    assertThat(f.header("destination")).isEqualTo("a");
  }

  @Test
  void a_content_length_body_may_hold_nul_bytes() {
    byte[] head = "SEND\ndestination:a\ncontent-length:3\n\n".getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[head.length + 4];
    System.arraycopy(head, 0, all, 0, head.length);
    all[head.length] = 1;
    all[head.length + 1] = 0;
    all[head.length + 2] = 2;
    all[head.length + 3] = 0;
    Decoded d = (Decoded) codec.decode(ByteBuffer.wrap(all), StompVersion.V1_2);
    assertThat(d.frame().body().toByteArray()).containsExactly(1, 0, 2);
    assertThat(d.consumed()).isEqualTo(all.length);
  }

  @Test
  void a_content_length_body_without_its_nul_is_malformed() {
    assertThat(error("SEND\ncontent-length:1\n\nab\0")).isEqualTo(Kind.MALFORMED);
  }

  @Test
  void a_content_length_that_is_not_a_number_is_malformed() {
    assertThat(error("SEND\ncontent-length:-1\n\na\0")).isEqualTo(Kind.MALFORMED);
    assertThat(error("SEND\ncontent-length:x\n\na\0")).isEqualTo(Kind.MALFORMED);
  }

  @Test
  void unescapes_headers_in_1_2_and_1_1_but_not_in_1_0() {
    String wire = "SEND\na\\cb:c\\nd\\\\e\n\n\0";
    assertThat(frame(wire, StompVersion.V1_2).header("a:b")).isEqualTo("c\nd\\e");
    assertThat(frame(wire, StompVersion.V1_1).header("a:b")).isEqualTo("c\nd\\e");
    assertThat(frame(wire, StompVersion.V1_0).header("a\\cb")).isEqualTo("c\\nd\\\\e");
  }

  @Test
  void the_cr_escape_is_1_2_only() {
    assertThat(frame("SEND\na:x\\ry\n\n\0", StompVersion.V1_2).header("a")).isEqualTo("x\ry");
    assertThat(decode("SEND\na:x\\ry\n\n\0", StompVersion.V1_1)).isInstanceOf(FrameError.class);
  }

  @Test
  void an_undefined_escape_is_malformed() {
    assertThat(error("SEND\na:x\\ty\n\n\0")).isEqualTo(Kind.MALFORMED);
    assertThat(error("SEND\na:x\\\n\n\0")).isEqualTo(Kind.MALFORMED);
  }

  @Test
  void connect_headers_are_never_unescaped() {
    assertThat(frame("CONNECT\nlogin:a\\cb\n\n\0", StompVersion.V1_2).header("login")).isEqualTo("a\\cb");
  }

  @Test
  void end_of_lines_between_frames_are_heart_beats() {
    assertThat(decode("\n\r\nSEND", StompVersion.V1_2)).isEqualTo(new HeartBeat(3));
  }

  @Test
  void a_cr_without_lf_is_malformed() {
    assertThat(error("\rX")).isEqualTo(Kind.MALFORMED);
  }

  @Test
  void partial_frames_need_more() {
    String whole = "SEND\ndestination:a\ncontent-length:2\n\nab\0";
    for (int i = 1; i < whole.length(); i++) {
      assertThat(decode(whole.substring(0, i), StompVersion.V1_2)).as("prefix %d", i).isEqualTo(DecodeResult.NEED_MORE);
    }
  }

  @Test
  void an_unknown_command_is_refused_and_commands_are_case_sensitive() {
    assertThat(error("FOO\n\n\0")).isEqualTo(Kind.UNKNOWN_COMMAND);
    assertThat(error("send\n\n\0")).isEqualTo(Kind.UNKNOWN_COMMAND);
    assertThat(error("SENDSENDSENDSENDSENDSEND")).isEqualTo(Kind.UNKNOWN_COMMAND);
  }

  @Test
  void a_header_without_colon_is_malformed() {
    assertThat(error("SEND\nnocolon\n\n\0")).isEqualTo(Kind.MALFORMED);
  }

  @Test
  void more_headers_than_max_headers_are_refused() {
    StringBuilder b = new StringBuilder("SEND\n");
    for (int i = 0; i < 11; i++) {
      b.append("h").append(i).append(":v\n");
    }
    assertThat(error(b + "\n\0")).isEqualTo(Kind.TOO_MANY_HEADERS);
  }

  @Test
  void a_header_longer_than_max_header_length_is_refused_even_before_its_end_arrives() {
    assertThat(error("SEND\na:" + "x".repeat(1100) + "\n\n\0")).isEqualTo(Kind.HEADER_TOO_LONG);
    assertThat(error("SEND\na:" + "x".repeat(1100))).isEqualTo(Kind.HEADER_TOO_LONG);
    assertThat(frame("SEND\na:" + "x".repeat(1022) + "\n\n\0", StompVersion.V1_2).header("a")).hasSize(1022);
  }

  @Test
  void a_body_longer_than_max_body_length_is_refused_with_or_without_content_length() {
    assertThat(error("SEND\n\n" + "x".repeat(8193) + "\0")).isEqualTo(Kind.BODY_TOO_LONG);
    assertThat(error("SEND\n\n" + "x".repeat(8193))).isEqualTo(Kind.BODY_TOO_LONG);
    assertThat(error("SEND\ncontent-length:8193\n\n")).isEqualTo(Kind.BODY_TOO_LONG);
    assertThat(frame("SEND\n\n" + "x".repeat(8192) + "\0", StompVersion.V1_2).body().size()).isEqualTo(8192);
  }

  @Test
  void encodes_with_escaping_and_a_content_length() {
    StompFrame f = StompFrame.builder(Command.MESSAGE).header("destination", "a:b\nc").body(Payload.utf8("hi")).build();
    String wire = new String(codec.encode(f, StompVersion.V1_2), StandardCharsets.UTF_8);
    assertThat(wire).isEqualTo("MESSAGE\ndestination:a\\cb\\nc\ncontent-length:2\n\nhi\0");
  }

  @Test
  void encoded_frames_decode_to_themselves() {
    StompFrame f = StompFrame.builder(Command.MESSAGE).header("k\\:", "v\r\n").body(Payload.utf8("a\0b")).build();
    Decoded d = (Decoded) codec.decode(ByteBuffer.wrap(codec.encode(f, StompVersion.V1_2)), StompVersion.V1_2);
    assertThat(d.frame().header("k\\:")).isEqualTo("v\r\n");
    assertThat(d.frame().body()).isEqualTo(f.body());
  }
}
