package io.estuary.tcp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.Payload;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Fuzz of every frame decoder: hostile bytes never throw, valid frames survive a round trip and any read split. */
class CodecPropertiesTest {
  private static final EmqxTcpCodec EMQX = new EmqxTcpCodec(65535);

  @Property(tries = 2000)
  void emqx_decoder_never_throws_and_what_it_accepts_re_encodes_to_the_same_bytes(@ForAll @Size(max = 64) byte[] input) {
    DecodeResult<TcpFrame> r = EMQX.decode(ByteBuffer.wrap(input));
    if (r instanceof DecodeResult.Ok<TcpFrame> ok) {
      assertThat(ok.consumed()).isBetween(1, input.length);
      assertThat(EmqxTcpCodec.encode(ok.value())).containsExactly(Arrays.copyOf(input, ok.consumed()));
    }
  }

  @Property(tries = 500)
  void valid_emqx_frames_decode_the_same_however_the_stream_is_split(@ForAll("frames") List<TcpFrame> frames,
      @ForAll @IntRange(min = 1, max = 7) int chunk) {
    ByteBuffer all = ByteBuffer.allocate(frames.stream().mapToInt(f -> EmqxTcpCodec.encode(f).length).sum());
    frames.forEach(f -> all.put(EmqxTcpCodec.encode(f)));
    assertThat(stream(all.array(), chunk, EMQX::decode)).isEqualTo(frames);
  }

  @Property(tries = 1000)
  void framings_never_throw_on_hostile_bytes_and_stay_within_their_input(@ForAll("framings") Framing f,
      @ForAll @Size(max = 64) byte[] input) {
    DecodeResult<byte[]> r = f.decode(ByteBuffer.wrap(input));
    if (r instanceof DecodeResult.Ok<byte[]> ok) {
      assertThat(ok.consumed()).isBetween(1, input.length);
      assertThat(ok.value().length).isLessThanOrEqualTo(ok.consumed());
    }
  }

  @Property(tries = 1000)
  void what_a_framing_encodes_decodes_back_to_the_payload_across_split_reads(@ForAll("framings") Framing f,
      @ForAll @Size(max = 3) List<@Size(max = 24) byte[]> payloads, @ForAll @IntRange(min = 1, max = 5) int chunk) {
    List<byte[]> framed = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (byte[] p : payloads) {
      byte[] e = f.encode(p);
      if (e != null) {
        framed.add(e);
        expected.add(Arrays.toString(f instanceof Framing.LengthField l && l.strip() == 0 ? e : p));
      }
    }
    ByteBuffer all = ByteBuffer.allocate(framed.stream().mapToInt(b -> b.length).sum());
    framed.forEach(all::put);
    assertThat(stream(all.array(), chunk, f::decode).stream().map(Arrays::toString).toList()).isEqualTo(expected);
  }

  /** Feeds {@code bytes} in reads of {@code chunk} bytes to an accumulating buffer, as the transport does. */
  private static <T> List<T> stream(byte[] bytes, int chunk, java.util.function.Function<ByteBuffer, DecodeResult<T>> decoder) {
    List<T> out = new ArrayList<>();
    ByteBuffer acc = ByteBuffer.allocate(bytes.length);
    acc.flip();
    for (int i = 0; i < bytes.length; i += chunk) {
      int n = Math.min(chunk, bytes.length - i);
      acc.compact().put(bytes, i, n).flip();
      while (true) {
        DecodeResult<T> r = decoder.apply(acc);
        if (r instanceof DecodeResult.Ok<T> ok) {
          out.add(ok.value());
          acc.position(acc.position() + ok.consumed());
        } else {
          assertThat(r).isInstanceOf(DecodeResult.NeedMore.class);
          break;
        }
      }
    }
    assertThat(acc.remaining()).isZero();
    return out;
  }

  @Provide
  Arbitrary<List<TcpFrame>> frames() {
    Arbitrary<String> str = Arbitraries.strings().ofMaxLength(12);
    Arbitrary<TcpFrame> connect = Combinators.combine(Arbitraries.integers().between(0, 15), Arbitraries.integers().between(0, 255),
        str, str.injectNull(0.3), Arbitraries.bytes().array(byte[].class).ofMaxSize(8))
        .as((v, k, c, u, p) -> new TcpFrame.Connect(v, k, c, u, u == null ? null : p));
    Arbitrary<TcpFrame> data = Combinators.combine(Arbitraries.integers().between(0, 2),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(40)).as((q, b) -> new TcpFrame.DataTrans(q, Payload.copyOf(b)));
    Arbitrary<TcpFrame> ack = Combinators.combine(Arbitraries.integers().between(0, 15), str).as(TcpFrame.ConnAck::new);
    Arbitrary<TcpFrame> single = Arbitraries.of(new TcpFrame.Ping(), new TcpFrame.Pong(), new TcpFrame.Disconnect());
    return Arbitraries.oneOf(connect, data, ack, single).list().ofMaxSize(6);
  }

  @Provide
  Arbitrary<Framing> framings() {
    Arbitrary<Framing> length = Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.of(1, 2, 3, 4, 8),
        Arbitraries.of(ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN), Arbitraries.integers().between(-4, 4),
        Arbitraries.of(true, false), Arbitraries.integers().between(8, 64))
        .as((o, s, order, adj, strip, max) -> new Framing.LengthField(o, s, order, adj, strip ? o + s : 0, max));
    Arbitrary<Framing> delim = Combinators.combine(
        Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(3).list().ofMinSize(1).ofMaxSize(3),
        Arbitraries.integers().between(1, 64)).as((d, max) -> new Framing.Delimiter("delimiter", d, max));
    Arbitrary<Framing> line = Arbitraries.integers().between(1, 64).map(Framing.Delimiter::line);
    Arbitrary<Framing> fixed = Arbitraries.integers().between(1, 16).map(Framing.Fixed::new);
    return Arbitraries.oneOf(length, delim, line, fixed);
  }
}
