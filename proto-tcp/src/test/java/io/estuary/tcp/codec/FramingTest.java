package io.estuary.tcp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estuary.tcp.codec.FrameError.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Byte-level tests of the configurable framings (Netty's length-field, delimiter and line semantics). */
class FramingTest {
  private static DecodeResult<byte[]> decode(Framing f, String hex) {
    return f.decode(ByteBuffer.wrap(Hex.bytes(hex)));
  }

  private static String okHex(Framing f, String hex, int consumed) {
    DecodeResult<byte[]> r = decode(f, hex);
    assertThat(r).isInstanceOf(DecodeResult.Ok.class);
    assertThat(((DecodeResult.Ok<byte[]>) r).consumed()).isEqualTo(consumed);
    return Hex.of(((DecodeResult.Ok<byte[]>) r).value());
  }

  private static Kind error(Framing f, String hex) {
    DecodeResult<byte[]> r = decode(f, hex);
    assertThat(r).isInstanceOf(DecodeResult.Failed.class);
    return ((DecodeResult.Failed<byte[]>) r).error().kind();
  }

  @Test
  void two_byte_big_endian_prefix_stripped_yields_the_body() {
    Framing f = new Framing.LengthField(0, 2, ByteOrder.BIG_ENDIAN, 0, 2, 1024);
    assertThat(okHex(f, "00 03 61 62 63 ff", 5)).isEqualTo("61 62 63");
    assertThat(Hex.of(f.encode("abc".getBytes()))).isEqualTo("00 03 61 62 63");
  }

  @Test
  void little_endian_four_byte_field_after_a_type_byte_with_adjustment() {
    // type(1) len(4, LE, counts the whole frame) body: adjustment = -5 (Netty's "length includes the header")
    Framing f = new Framing.LengthField(1, 4, ByteOrder.LITTLE_ENDIAN, -5, 5, 1024);
    assertThat(okHex(f, "07 07 00 00 00 aa bb", 7)).isEqualTo("aa bb");
    assertThat(Hex.of(f.encode(new byte[] {(byte) 0xaa, (byte) 0xbb}))).isEqualTo("00 07 00 00 00 aa bb");
  }

  @Test
  void three_and_eight_byte_fields_are_read_whole() {
    assertThat(okHex(new Framing.LengthField(0, 3, ByteOrder.BIG_ENDIAN, 0, 3, 1024), "00 00 01 41", 4)).isEqualTo("41");
    assertThat(okHex(new Framing.LengthField(0, 8, ByteOrder.BIG_ENDIAN, 0, 8, 1024), "00 00 00 00 00 00 00 01 41", 9))
        .isEqualTo("41");
    assertThat(error(new Framing.LengthField(0, 8, ByteOrder.BIG_ENDIAN, 0, 8, 1024), "80 00 00 00 00 00 00 01"))
        .isEqualTo(Kind.MALFORMED);
  }

  @Test
  void unstripped_frames_keep_their_header_and_downlink_must_be_one_valid_frame() {
    Framing f = new Framing.LengthField(0, 1, ByteOrder.BIG_ENDIAN, 0, 0, 1024);
    assertThat(okHex(f, "02 61 62", 3)).isEqualTo("02 61 62");
    assertThat(f.encode(Hex.bytes("02 61 62"))).containsExactly(Hex.bytes("02 61 62"));
    assertThat(f.encode(Hex.bytes("05 61 62"))).isNull();
  }

  @Test
  void length_field_frames_over_the_maximum_fail_before_their_body_arrives() {
    Framing f = new Framing.LengthField(0, 2, ByteOrder.BIG_ENDIAN, 0, 2, 10);
    assertThat(error(f, "00 09")).isEqualTo(Kind.TOO_LARGE);
    assertThat(decode(f, "00 08")).isInstanceOf(DecodeResult.NeedMore.class);
    assertThat(f.encode(new byte[9])).isNull();
  }

  @Test
  void a_negative_adjustment_below_the_header_is_malformed() {
    assertThat(error(new Framing.LengthField(0, 1, ByteOrder.BIG_ENDIAN, -3, 1, 100), "01 00")).isEqualTo(Kind.MALFORMED);
  }

  @Test
  void strips_inside_the_length_field_are_refused_at_construction() {
    assertThatThrownBy(() -> new Framing.LengthField(1, 2, ByteOrder.BIG_ENDIAN, 0, 2, 100))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Framing.LengthField(0, 5, ByteOrder.BIG_ENDIAN, 0, 5, 100))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void line_framing_splits_nmea_sentences_on_crlf_and_lf() {
    Framing f = Framing.Delimiter.line(82);
    byte[] in = "$GPGGA,1*47\r\n$GPRMC,2*4B\n".getBytes(StandardCharsets.US_ASCII);
    DecodeResult.Ok<byte[]> first = (DecodeResult.Ok<byte[]>) f.decode(ByteBuffer.wrap(in));
    assertThat(new String(first.value(), StandardCharsets.US_ASCII)).isEqualTo("$GPGGA,1*47");
    ByteBuffer rest = ByteBuffer.wrap(in);
    rest.position(first.consumed());
    DecodeResult.Ok<byte[]> second = (DecodeResult.Ok<byte[]>) f.decode(rest);
    assertThat(new String(second.value(), StandardCharsets.US_ASCII)).isEqualTo("$GPRMC,2*4B");
    assertThat(first.consumed() + second.consumed()).isEqualTo(in.length);
    assertThat(new String(f.encode("$PCMD,1".getBytes()), StandardCharsets.US_ASCII)).isEqualTo("$PCMD,1\r\n");
  }

  @Test
  void the_delimiter_ending_the_shortest_frame_wins() {
    Framing f = new Framing.Delimiter("delimiter", List.of(Hex.bytes("7e"), Hex.bytes("0d 0a")), 100);
    assertThat(okHex(f, "61 0d 0a 62 7e", 3)).isEqualTo("61");
    assertThat(okHex(f, "61 7e 62 0d 0a", 2)).isEqualTo("61");
  }

  // found by CodecPropertiesTest (seed -511261308228243785): "a" then "b" in two reads must not split at "a"
  @Test
  void a_delimiter_that_has_only_begun_waits_for_more_bytes_so_split_reads_decode_alike() {
    Framing f = new Framing.Delimiter("delimiter", List.of(Hex.bytes("61 62"), Hex.bytes("61")), 10);
    assertThat(decode(f, "78 61")).isInstanceOf(DecodeResult.NeedMore.class);
    assertThat(okHex(f, "78 61 62", 3)).isEqualTo("78");
    assertThat(okHex(f, "78 61 63", 2)).isEqualTo("78");
    Framing g = new Framing.Delimiter("delimiter", List.of(Hex.bytes("78 79 7a"), Hex.bytes("79")), 10);
    assertThat(decode(g, "41 78 79")).isInstanceOf(DecodeResult.NeedMore.class);
    assertThat(okHex(g, "41 78 79 7a", 4)).isEqualTo("41");
  }

  @Test
  void no_delimiter_within_the_maximum_is_too_large_and_less_needs_more() {
    Framing f = new Framing.Delimiter("delimiter", List.of(Hex.bytes("0d 0a")), 4);
    assertThat(decode(f, "61 62 63 64 65")).isInstanceOf(DecodeResult.NeedMore.class);
    assertThat(error(f, "61 62 63 64 65 66")).isEqualTo(Kind.TOO_LARGE);
    assertThat(error(f, "61 62 63 64 65 0d 0a")).isEqualTo(Kind.TOO_LARGE);
    assertThat(okHex(f, "61 62 63 64 0d 0a", 6)).isEqualTo("61 62 63 64");
  }

  @Test
  void downlink_payloads_containing_a_delimiter_cannot_be_framed() {
    Framing f = Framing.Delimiter.line(100);
    assertThat(f.encode("a\nb".getBytes())).isNull();
  }

  @Test
  void fixed_frames_are_cut_at_their_length_and_downlink_must_fit_exactly() {
    Framing f = new Framing.Fixed(3);
    assertThat(decode(f, "01 02")).isInstanceOf(DecodeResult.NeedMore.class);
    assertThat(okHex(f, "01 02 03 04", 3)).isEqualTo("01 02 03");
    assertThat(f.encode(new byte[3])).hasSize(3);
    assertThat(f.encode(new byte[2])).isNull();
  }
}
