package io.estuary.api;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Broker → adapter: where one session's messages go.
 *
 * <p><b>Threads.</b> The broker calls {@link #deliver} and {@link #sessionClosed} only inside tasks it
 * hands to {@link #executor()}, one at a time, in order, and completes the stages of the paired
 * {@link BrokerSession} there too. {@link #credits()} and {@link #attributes()} are read from the
 * broker's threads (the session's executor, the management API) and must be thread-safe and cheap.
 */
public interface DeliverySink {

  /** The executor owning the device's connection state (a Netty event loop, a serial executor). Any thread. */
  Executor executor();

  /**
   * How many more deliveries the device can take now (transport writability, link budget), counting
   * only what this sink has already received. The broker subtracts what it has handed to
   * {@link #executor()} and that has not run yet, so the deliveries waiting on the executor never
   * exceed the credits: a value that drops only on the sink's executor still bounds them. When the
   * broker stops for want of credits it looks again after its hand-over ran; if it found zero with
   * nothing outstanding, it waits until the adapter calls {@link BrokerSession#creditsAvailable()}.
   * Read on the session's executor.
   */
  int credits();

  /** One delivery; on {@link #executor()}. */
  void deliver(Delivery delivery);

  /**
   * Several deliveries of one drain, in order, in one executor task (fewer thread hand-offs under
   * load). The default delivers them one by one; a sink that can batch (one flush, one pump) overrides it.
   */
  default void deliver(List<Delivery> deliveries) {
    for (Delivery d : deliveries) {
      deliver(d);
    }
  }

  /** The broker ended this connection (take-over, kick, expiry, shutdown); on {@link #executor()}. */
  void sessionClosed(CloseReason reason);

  /** Extra state for the client listing (e.g. MQTT-SN state, topic-id table); a snapshot, any thread. */
  default Map<String, Object> attributes() {
    return Map.of();
  }
}
