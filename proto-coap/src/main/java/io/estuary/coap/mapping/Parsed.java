package io.estuary.coap.mapping;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;

/** The result of reading device input: a value, or the CoAP error to answer with. */
public sealed interface Parsed<T> {

  /** Input understood. */
  record Ok<T>(T value) implements Parsed<T> {}

  /** Input rejected: answer {@code code} with the diagnostic payload {@code reason}. */
  record Rejected<T>(ResponseCode code, String reason) implements Parsed<T> {}

  static <T> Parsed<T> ok(T value) {
    return new Ok<>(value);
  }

  static <T> Parsed<T> rejected(ResponseCode code, String reason) {
    return new Rejected<>(code, reason);
  }

  static <T> Parsed<T> badRequest(String reason) {
    return new Rejected<>(ResponseCode.BAD_REQUEST, reason);
  }

  /** Re-types a rejection (for propagating it through another parser). */
  @SuppressWarnings("unchecked")
  default <U> Parsed<U> castRejected() {
    if (this instanceof Rejected<T> r) {
      return (Parsed<U>) r;
    }
    throw new IllegalStateException("not a rejection: " + this);
  }
}
