package io.estuary.stomp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.Payload;
import io.estuary.stomp.codec.DecodeResult.Decoded;
import io.estuary.stomp.codec.DecodeResult.FrameError;
import io.estuary.stomp.codec.DecodeResult.HeartBeat;
import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The decoder never throws on any input, and every frame the encoder writes decodes to itself. */
class StompCodecPropertiesTest {
  private final StompCodec codec = new StompCodec(new FrameLimits(12, 256, 512));

  @Property(tries = 3000)
  void decoding_random_bytes_never_throws_and_never_claims_more_than_it_was_given(
      @ForAll("noise") byte[] input, @ForAll StompVersion version) {
    ByteBuffer in = ByteBuffer.wrap(input);
    int rounds = 0;
    while (in.hasRemaining() && rounds++ < 1000) {
      DecodeResult r = codec.decode(in, version);
      assertThat(in.position()).as("decode does not move the buffer").isLessThanOrEqualTo(in.limit());
      if (r instanceof Decoded d) {
        assertThat(d.consumed()).isPositive().isLessThanOrEqualTo(in.remaining());
        in.position(in.position() + d.consumed());
      } else if (r instanceof HeartBeat h) {
        assertThat(h.consumed()).isPositive().isLessThanOrEqualTo(in.remaining());
        in.position(in.position() + h.consumed());
      } else {
        break; // NeedMore or FrameError: the connection waits or ends
      }
    }
  }

  @Property(tries = 2000)
  void every_encoded_frame_decodes_to_itself_in_1_1_and_1_2(@ForAll("frames") StompFrame f, @ForAll boolean v12) {
    StompVersion v = v12 ? StompVersion.V1_2 : StompVersion.V1_1;
    byte[] wire = codec.encode(f, v);
    DecodeResult r = codec.decode(ByteBuffer.wrap(wire), v);
    assertThat(r).isInstanceOf(Decoded.class);
    StompFrame back = ((Decoded) r).frame();
    assertThat(((Decoded) r).consumed()).isEqualTo(wire.length);
    assertThat(back.command()).isEqualTo(f.command());
    assertThat(back.body()).isEqualTo(f.body());
    List<StompFrame.Header> expected = v12 ? f.headers() : f.headers().stream()
        .map(h -> new StompFrame.Header(h.name().replace('\r', ' '), h.value().replace('\r', ' '))).toList();
    assertThat(back.headers().subList(0, f.headers().size())).isEqualTo(expected);
  }

  @Property(tries = 1000)
  void a_valid_frame_cut_anywhere_needs_more_and_never_errs(@ForAll("frames") StompFrame f, @ForAll("cut") double cut) {
    byte[] wire = codec.encode(f, StompVersion.V1_2);
    int n = (int) (cut * (wire.length - 1));
    DecodeResult r = codec.decode(ByteBuffer.wrap(wire, 0, n), StompVersion.V1_2);
    assertThat(r).isNotInstanceOf(FrameError.class).isNotInstanceOf(Decoded.class);
  }

  @Provide
  Arbitrary<Double> cut() {
    return Arbitraries.doubles().between(0, 1);
  }

  @Provide
  Arbitrary<byte[]> noise() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(2000);
    Arbitrary<byte[]> stompish = Arbitraries.of("SEND\n", "MESSAGE\n", "a:b\n", "content-length:", "3", "\n", "\r\n",
            "\0", "\\c", "\\n", "\\r", "\\t", "\\", ":", "x", "é", "ACK\nid:1\n\n\0", "content-length:99999\n")
        .list().ofMaxSize(60).map(parts -> String.join("", parts).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return Arbitraries.oneOf(random, stompish);
  }

  @Provide
  Arbitrary<StompFrame> frames() {
    Arbitrary<Command> commands = Arbitraries.of(Command.SEND, Command.MESSAGE, Command.ACK, Command.ERROR,
        Command.RECEIPT, Command.SUBSCRIBE);
    Arbitrary<String> text = Arbitraries.strings().withChars("ab:\\\n\r é-_/#+").ofMinLength(1).ofMaxLength(20);
    Arbitrary<StompFrame.Header> header = Combinators.combine(text, text.injectNull(0.0).map(s -> s == null ? "" : s))
        .as(StompFrame.Header::new).filter(h -> !h.name().equals("content-length"));
    Arbitrary<List<StompFrame.Header>> headers = header.list().ofMaxSize(8);
    Arbitrary<Payload> body = Arbitraries.bytes().array(byte[].class).ofMaxSize(400).map(Payload::copyOf);
    return Combinators.combine(commands, headers, body).as(StompFrame::new);
  }
}
