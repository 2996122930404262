package io.estuary.coap.observe;

/** What an observer reports to its owner (the device), on the device's executor. */
public interface ObserverEvents {
  /** The client acknowledged a CON notification: it is alive. */
  void acknowledged(Observer observer);

  /** The relation ended by itself (CON notification timed out, client sent RST): drop the subscription. */
  void lost(Observer observer, String why);

  /**
   * Whether a notification that would go NON may do so now; false when the device has been silent for too many
   * of them, and this one must be confirmable (RFC 7641 §4.5). Counts the NON it allows.
   */
  default boolean mayNotifyNon() {
    return true;
  }
}
