package io.estuary.api;

import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Broker → adapter: where one session's messages go. The broker calls {@link #deliver} and
 * {@link #sessionClosed} only on {@link #executor()}, one call at a time, in order.
 */
public interface DeliverySink {

  /** The executor owning the device's connection state (a Netty event loop, a serial executor). */
  Executor executor();

  /**
   * How many more deliveries the device can take now (transport writability, link budget). Read by
   * the broker from any thread; must be cheap and thread-safe. The broker reads it once per drain and
   * then sends at most that many deliveries before reading it again, so a value that only drops on
   * the sink's executor still bounds what is in flight. Zero pauses delivery until the adapter calls
   * {@link BrokerSession#creditsAvailable()}.
   */
  int credits();

  void deliver(Delivery delivery);

  /**
   * Several deliveries of one drain, in order, in one executor task (fewer thread hand-offs under
   * load). The default delivers them one by one; a sink that can batch (one flush, one pump) overrides it.
   */
  default void deliver(java.util.List<Delivery> deliveries) {
    for (Delivery d : deliveries) {
      deliver(d);
    }
  }

  /** The broker ended this connection (take-over, kick, expiry, shutdown). */
  void sessionClosed(CloseReason reason);

  /** Extra state for the client listing (e.g. MQTT-SN state, topic-id table); thread-safe snapshot. */
  default Map<String, Object> attributes() {
    return Map.of();
  }
}
