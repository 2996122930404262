package io.estuary.core.webhooks;

import java.net.http.HttpTimeoutException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Why a webhook request failed: the {@code reason} of {@code webhooks.failed}. A request not sent because
 * {@code webhooks.max_inflight} were waiting already is none of these: it is counted in {@code webhooks.refused}.
 */
public enum WebhookFailure {
  /**
   * No answer within {@code webhooks.response_timeout} of the request being handed to its client, whatever held it: the
   * host name lookup, the connection or the endpoint.
   */
  TIMEOUT,
  /** The request did not get through: connection refused or reset, host name unknown, connection closed before the answer. */
  CONNECT,
  /** An answer with a status other than 2xx. */
  STATUS,
  /**
   * A 2xx answer to an answered hook (auth_on_*, on_deliver) that is no JSON or has no {@code result}; the bodies of
   * answers to notifications are not read.
   */
  BAD_RESPONSE,
  /**
   * Not sent: its endpoint (or its server) was deregistered after the request took its snapshot of the registrations, or
   * the plugin is stopped.
   */
  NO_CLIENT;

  /** The metric tag: {@code timeout}, {@code connect}, {@code status}, {@code bad_response}, {@code no_client}. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The failure of a request whose future failed with {@code t} (the JDK client's exception, or our timeout's). */
  static WebhookFailure of(Throwable t) {
    Throwable cause = unwrap(t);
    // HttpConnectTimeoutException is an HttpTimeoutException: a connection that did not open in time is a timeout too
    if (cause instanceof TimeoutException || cause instanceof HttpTimeoutException) {
      return TIMEOUT;
    }
    return CONNECT; // ConnectException (refused, unresolved), IOException (reset, closed before the answer)
  }

  /** The exception a future failed with, out of the CompletionException a dependent stage wraps it in. */
  static Throwable unwrap(Throwable t) {
    Throwable out = t;
    while ((out instanceof CompletionException || out instanceof ExecutionException) && out.getCause() != null) {
      out = out.getCause();
    }
    return out;
  }
}
