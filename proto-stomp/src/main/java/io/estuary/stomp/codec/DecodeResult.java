package io.estuary.stomp.codec;

/** What {@link StompCodec#decode} made of the bytes at hand. */
public sealed interface DecodeResult {
  /** A whole frame, {@code consumed} bytes long (with its NUL and trailing EOLs). */
  record Decoded(StompFrame frame, int consumed) implements DecodeResult {}

  /** A heart-beat: {@code consumed} bytes of end-of-lines before any frame (STOMP 1.2 §"Heart-beating"). */
  record HeartBeat(int consumed) implements DecodeResult {}

  /** Not enough bytes yet for a frame; nothing consumed. */
  record NeedMore() implements DecodeResult {}

  /** Input the connection cannot go on with; the answer is ERROR with {@code message}, then close. */
  record FrameError(Kind kind, String message) implements DecodeResult {}

  /** Why a frame was refused: its counter's {@code reason} tag. */
  enum Kind {
    MALFORMED, UNKNOWN_COMMAND, TOO_MANY_HEADERS, HEADER_TOO_LONG, BODY_TOO_LONG;

    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  NeedMore NEED_MORE = new NeedMore();
}
