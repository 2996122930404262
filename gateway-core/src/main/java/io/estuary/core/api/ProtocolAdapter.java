package io.estuary.core.api;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** Lifecycle of one protocol adapter. start/stop are called once each, from the gateway's main thread. */
public interface ProtocolAdapter {
  /** Binds listeners; fails the stage (e.g. port in use) with a message naming the address. */
  CompletionStage<Void> start();

  /** Stops accepting, closes devices' sessions with SERVER_SHUTDOWN, waits at most {@code grace}. */
  CompletionStage<Void> stop(Duration grace);

  AdapterStatus status();

  /** Bound listeners, for the start-up log and tests that bind port 0. */
  default List<ListenerInfo> listeners() {
    return List.of();
  }
}
