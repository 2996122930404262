package io.estuary.core.webhooks;

import io.estuary.api.limits.LogThrottle;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failed requests of the webhooks plugin, per {@link WebhookFailure}: counted ({@code webhooks.failed{reason}}) and
 * logged, a WARN naming the endpoint at most once a minute per reason, the others at DEBUG. Lock-free; any thread.
 */
final class WebhookFailures {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookPlugin.class);
  private static final WebhookFailure[] REASONS = WebhookFailure.values();

  private final AtomicLongArray counts = new AtomicLongArray(REASONS.length);
  private final LogThrottle[] logs = new LogThrottle[REASONS.length];

  WebhookFailures() {
    for (int i = 0; i < logs.length; i++) {
      logs[i] = LogThrottle.every(60_000);
    }
  }

  /** Counts and logs one failed request to {@code w}; {@code detail} says what happened. */
  void count(WebhookFailure reason, Webhook w, String detail) {
    counts.incrementAndGet(reason.ordinal());
    long suppressed = logs[reason.ordinal()].admit();
    if (suppressed >= 0) {
      LOG.warn("webhook {} -> {} failed ({}): {}{}", w.wireName(), w.endpoint(), reason.tag(), detail,
          LogThrottle.suffix(suppressed));
    } else {
      LOG.debug("webhook {} -> {} failed ({}): {}", w.wireName(), w.endpoint(), reason.tag(), detail);
    }
  }

  /** Counts and logs one request to {@code w} whose future failed with {@code t}. */
  void count(Webhook w, Throwable t) {
    Throwable cause = WebhookFailure.unwrap(t);
    WebhookFailure reason = WebhookFailure.of(cause);
    String detail = reason == WebhookFailure.TIMEOUT && cause instanceof TimeoutException
        ? "no answer within webhooks.response_timeout" : describe(cause);
    count(reason, w, detail);
  }

  long get(WebhookFailure reason) {
    return counts.get(reason.ordinal());
  }

  /** The exception and its causes: the JDK client's ConnectException says "refused" in its cause only. */
  private static String describe(Throwable t) {
    StringBuilder out = new StringBuilder(t.toString());
    Throwable c = t.getCause();
    for (int depth = 0; c != null && depth < 4; depth++, c = c.getCause()) {
      out.append(" <- ").append(c);
    }
    return out.toString();
  }
}
