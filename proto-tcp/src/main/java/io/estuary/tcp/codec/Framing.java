package io.estuary.tcp.codec;

import io.estuary.tcp.codec.FrameError.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A configurable framing for devices that speak their own protocol over TCP: every frame is one message. {@link
 * #decode} finds the next frame at the buffer's position (absolute reads; the position never moves) and hands out
 * its payload; {@link #encode} frames a downlink payload the same way, or answers null when the payload cannot be
 * framed (the channel drops and counts it). The maximum frame length is always enforced. Immutable: any thread.
 */
public sealed interface Framing {
  /** The framing's config name ({@code length_field}, {@code delimiter}, {@code fixed}, {@code line}). */
  String name();

  DecodeResult<byte[]> decode(ByteBuffer in);

  /** The bytes to write for {@code payload}, or null if this framing cannot carry it. */
  byte[] encode(byte[] payload);

  /**
   * A length field, with the options of Netty's {@code LengthFieldBasedFrameDecoder}: the field of {@code size}
   * bytes at {@code offset} holds a length; the whole frame is {@code length + adjustment + offset + size} bytes;
   * the first {@code strip} bytes are removed from the payload. Downlink: with {@code strip = 0} the payload is the
   * whole frame and must be one valid frame; with {@code strip >= offset + size} the header is rebuilt (bytes
   * before and after the field zero, the field holding the length). Other strips cannot be encoded and are refused
   * when the config is read.
   */
  record LengthField(int offset, int size, ByteOrder order, int adjustment, int strip, int maxFrameLength)
      implements Framing {
    public LengthField {
      if (offset < 0 || !(size == 1 || size == 2 || size == 3 || size == 4 || size == 8)) {
        throw new IllegalArgumentException("offset must be >= 0 and size 1, 2, 3, 4 or 8");
      }
      if (strip < 0 || (strip > 0 && strip < offset + size)) {
        throw new IllegalArgumentException("strip must be 0 or >= offset + size (" + (offset + size) + ")");
      }
      if (maxFrameLength < 1) {
        throw new IllegalArgumentException("maxFrameLength must be >= 1");
      }
    }

    @Override
    public String name() {
      return "length_field";
    }

    private int end() {
      return offset + size;
    }

    @Override
    public DecodeResult<byte[]> decode(ByteBuffer in) {
      int start = in.position();
      if (in.remaining() < end()) {
        return DecodeResult.needMore();
      }
      long value = 0;
      for (int i = 0; i < size; i++) {
        int b = in.get(start + offset + (order == ByteOrder.BIG_ENDIAN ? i : size - 1 - i)) & 0xFF;
        value = (value << 8) | b;
      }
      if (value < 0) { // an 8-byte field with the top bit set
        return DecodeResult.failed(Kind.MALFORMED, "negative length field");
      }
      long frame = value + adjustment + end();
      if (frame < end()) {
        return DecodeResult.failed(Kind.MALFORMED, "frame length " + frame + " shorter than the length field's end " + end());
      }
      if (frame > maxFrameLength) {
        return DecodeResult.failed(Kind.TOO_LARGE, "frame length " + frame + " > " + maxFrameLength);
      }
      if (strip > frame) {
        return DecodeResult.failed(Kind.MALFORMED, "frame length " + frame + " shorter than the stripped " + strip);
      }
      if (in.remaining() < frame) {
        return DecodeResult.needMore();
      }
      byte[] out = new byte[(int) frame - strip];
      in.get(start + strip, out);
      return new DecodeResult.Ok<>(out, (int) frame);
    }

    @Override
    public byte[] encode(byte[] payload) {
      if (strip == 0) {
        DecodeResult<byte[]> r = decode(ByteBuffer.wrap(payload));
        return r instanceof DecodeResult.Ok<byte[]> ok && ok.consumed() == payload.length ? payload : null;
      }
      long frame = (long) strip + payload.length;
      long value = frame - adjustment - end();
      if (frame > maxFrameLength || value < 0 || (size < 8 && value >= 1L << (8 * size))) {
        return null;
      }
      byte[] out = new byte[(int) frame];
      for (int i = 0; i < size; i++) {
        int shift = 8 * (order == ByteOrder.BIG_ENDIAN ? size - 1 - i : i);
        out[offset + i] = (byte) (value >>> shift);
      }
      System.arraycopy(payload, 0, out, strip, payload.length);
      return out;
    }
  }

  /**
   * Frames end with one of the delimiters (as Netty's {@code DelimiterBasedFrameDecoder}: the delimiter that ends the
   * shortest frame wins, the longest of those starting there; unlike Netty it waits while a delimiter that has only
   * begun could change that, so the frames do not depend on how reads split the stream), which is stripped; the frame before it is at most {@code maxFrameLength} bytes. Downlink
   * payloads get the first delimiter appended and must then read back as one frame (no delimiter inside).
   */
  record Delimiter(String name, List<byte[]> delimiters, int maxFrameLength) implements Framing {
    public Delimiter {
      delimiters = List.copyOf(delimiters);
      if (delimiters.isEmpty() || delimiters.stream().anyMatch(d -> d.length == 0)) {
        throw new IllegalArgumentException("at least one delimiter, none empty");
      }
      if (maxFrameLength < 1) {
        throw new IllegalArgumentException("maxFrameLength must be >= 1");
      }
    }

    /** Text lines ending in {@code \n} or {@code \r\n} (Netty's {@code LineBasedFrameDecoder}); downlink ends in {@code \r\n}. */
    public static Delimiter line(int maxFrameLength) {
      return new Delimiter("line", List.of(new byte[] {'\r', '\n'}, new byte[] {'\n'}), maxFrameLength);
    }

    @Override
    public DecodeResult<byte[]> decode(ByteBuffer in) {
      int start = in.position();
      int n = in.remaining();
      int best = -1;
      int bestLen = 0;
      int longest = 0;
      for (byte[] d : delimiters) {
        longest = Math.max(longest, d.length);
        int at = indexOf(in, start, n, d);
        if (at >= 0 && (best < 0 || at < best || (at == best && d.length > bestLen))) {
          best = at;
          bestLen = d.length;
        }
      }
      if (best >= 0 && couldGrow(in, start, n, best)) {
        return DecodeResult.needMore();
      }
      if (best >= 0) {
        if (best > maxFrameLength) {
          return DecodeResult.failed(Kind.TOO_LARGE, "frame of " + best + " bytes > " + maxFrameLength);
        }
        byte[] out = new byte[best];
        in.get(start, out);
        return new DecodeResult.Ok<>(out, best + bestLen);
      }
      // a frame within the limit would have shown its delimiter by now
      return n >= maxFrameLength + longest
          ? DecodeResult.failed(Kind.TOO_LARGE, "no delimiter within " + maxFrameLength + " bytes")
          : DecodeResult.needMore();
    }

    /**
     * Whether a delimiter that has only begun at the end of the input, at or before {@code best}, could still end an
     * earlier or longer frame: then the answer must wait for more bytes, so a stream decodes the same however it is
     * split (delimiters such as {@code "a"} and {@code "ab"}, or {@code "xyz"} and {@code "y"}).
     */
    private boolean couldGrow(ByteBuffer in, int start, int n, int best) {
      for (byte[] d : delimiters) {
        for (int i = Math.max(0, n - d.length + 1); i <= best && i < n; i++) {
          if (isPrefix(in, start + i, n - i, d)) {
            return true;
          }
        }
      }
      return false;
    }

    private static boolean isPrefix(ByteBuffer in, int from, int len, byte[] d) {
      for (int j = 0; j < len; j++) {
        if (in.get(from + j) != d[j]) {
          return false;
        }
      }
      return true;
    }

    private static int indexOf(ByteBuffer in, int start, int n, byte[] d) {
      outer:
      for (int i = 0; i + d.length <= n; i++) {
        for (int j = 0; j < d.length; j++) {
          if (in.get(start + i + j) != d[j]) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }

    @Override
    public byte[] encode(byte[] payload) {
      if (payload.length > maxFrameLength) {
        return null;
      }
      byte[] end = delimiters.get(0);
      byte[] out = Arrays.copyOf(payload, payload.length + end.length);
      System.arraycopy(end, 0, out, payload.length, end.length);
      // a payload holding a delimiter (or whose end forms one with the appended delimiter) would split on the device
      return decode(ByteBuffer.wrap(out)) instanceof DecodeResult.Ok<byte[]> ok && ok.consumed() == out.length ? out : null;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Delimiter d) || !d.name.equals(name) || d.maxFrameLength != maxFrameLength
          || d.delimiters.size() != delimiters.size()) {
        return false;
      }
      for (int i = 0; i < delimiters.size(); i++) {
        if (!Arrays.equals(d.delimiters.get(i), delimiters.get(i))) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      List<Integer> h = new ArrayList<>();
      delimiters.forEach(d -> h.add(Arrays.hashCode(d)));
      return h.hashCode() * 31 + maxFrameLength;
    }
  }

  /** Every frame is exactly {@code length} bytes; downlink payloads must be exactly that long. */
  record Fixed(int length) implements Framing {
    public Fixed {
      if (length < 1) {
        throw new IllegalArgumentException("length must be >= 1");
      }
    }

    @Override
    public String name() {
      return "fixed";
    }

    @Override
    public DecodeResult<byte[]> decode(ByteBuffer in) {
      if (in.remaining() < length) {
        return DecodeResult.needMore();
      }
      byte[] out = new byte[length];
      in.get(in.position(), out);
      return new DecodeResult.Ok<>(out, length);
    }

    @Override
    public byte[] encode(byte[] payload) {
      return payload.length == length ? payload : null;
    }
  }
}
