package io.estuary.coap.observe;

import io.estuary.api.Message;

/**
 * One message to send to one observer. {@code done} runs exactly once, on the device's executor, when
 * the notification was sent (NON) or acknowledged (CON) — {@code delivered = true} — or was dropped,
 * timed out or rejected.
 */
public record Notification(Message message, Completion done) {

  /** Called once per notification with its outcome. */
  @FunctionalInterface
  public interface Completion {
    void completed(boolean delivered);
  }
}
