package io.estuary.tcp.codec;

/**
 * The outcome of decoding from the front of a buffer.
 *
 * @param <T> the decoded value: a {@link TcpFrame} or a raw frame's payload
 */
public sealed interface DecodeResult<T> {
  /** One value, made of the first {@code consumed} bytes. */
  record Ok<T>(T value, int consumed) implements DecodeResult<T> {}

  /** The buffer holds the start of a frame only: read more. */
  record NeedMore<T>() implements DecodeResult<T> {}

  /** The input is broken: the connection cannot be resynchronised and ends. */
  record Failed<T>(FrameError error) implements DecodeResult<T> {}

  static <T> DecodeResult<T> needMore() {
    return new NeedMore<>();
  }

  static <T> DecodeResult<T> failed(FrameError.Kind kind, String detail) {
    return new Failed<>(new FrameError(kind, detail));
  }
}
