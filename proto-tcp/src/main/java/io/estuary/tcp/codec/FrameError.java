package io.estuary.tcp.codec;

/**
 * Why input could not be decoded.
 *
 * @param kind the counter tag ({@code tcp.malformed{reason=…}})
 * @param detail for the (rate-limited) drop log
 */
public record FrameError(Kind kind, String detail) {
  /** What was wrong with the input. */
  public enum Kind {
    /** A frame type the framing does not define (EMQX types 0 and 7..15). */
    UNKNOWN_TYPE,
    /** The bytes break the framing's rules (bad length, reserved bits, bad string). */
    MALFORMED,
    /** Longer than the configured maximum frame length. */
    TOO_LARGE
  }

  public String tag() {
    return kind.name().toLowerCase(java.util.Locale.ROOT);
  }
}
