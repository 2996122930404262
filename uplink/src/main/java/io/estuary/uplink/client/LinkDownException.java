package io.estuary.uplink.client;

/** A publish did not complete because the upstream connection or session ended; resending may succeed. */
public final class LinkDownException extends RuntimeException {
  public LinkDownException(String message, Throwable cause) {
    super(message, cause);
  }
}
