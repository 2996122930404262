package io.estuary.core.management;

/** A call the API answers with an error {@code {code, message}} and an HTTP status. */
final class ApiException extends RuntimeException {
  final int status;
  final String code;

  ApiException(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  static ApiException badRequest(String message) {
    return new ApiException(400, "BAD_REQUEST", message);
  }

  static ApiException notFound(String code, String message) {
    return new ApiException(404, code, message);
  }
}
