package io.estuary.stomp.codec;

/**
 * The decoder's limits, EMQX's {@code frame.*} options.
 *
 * @param maxHeaders headers per frame
 * @param maxHeaderLength bytes of one header line (name, colon and value, escaped, without EOL)
 * @param maxBodyLength bytes of one body
 */
public record FrameLimits(int maxHeaders, int maxHeaderLength, int maxBodyLength) {
  public static final FrameLimits EMQX_DEFAULTS = new FrameLimits(10, 1024, 8192);
  /** The longest command line (DISCONNECT, UNSUBSCRIBE are 11 bytes; CR and slack). */
  static final int MAX_COMMAND_LINE = 16;

  public FrameLimits {
    if (maxHeaders < 1 || maxHeaderLength < 8 || maxBodyLength < 0) {
      throw new IllegalArgumentException("frame limits out of range: " + maxHeaders + ", " + maxHeaderLength + ", "
          + maxBodyLength);
    }
  }

  /** The most bytes a frame's command and header section can take before its blank line. */
  long maxHeadSection() {
    return MAX_COMMAND_LINE + 1 + (long) maxHeaders * (maxHeaderLength + 2) + 2;
  }
}
