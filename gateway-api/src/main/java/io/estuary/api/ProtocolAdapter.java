package io.estuary.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Lifecycle of one protocol adapter. {@link #start} and {@link #stop} are called once each, from the
 * gateway's main thread, which waits for their stages (they may complete on any thread). The other
 * methods are called from any thread (the management API's) and answer thread-safe snapshots.
 */
public interface ProtocolAdapter {
  /** Binds listeners; fails the stage (e.g. port in use) with a message naming the address. */
  CompletionStage<Void> start();

  /** Stops accepting, closes devices' sessions with SERVER_SHUTDOWN, waits at most {@code grace}. */
  CompletionStage<Void> stop(Duration grace);

  /** Running, stopped or failed; any thread. */
  AdapterStatus status();

  /**
   * Details for the gateway's status output ({@code GET /status}, {@code estuary ctl status}): one
   * entry per item worth showing (e.g. per uplink), values of JDK types (String, Number, Boolean,
   * List, Map) so they render as JSON. Thread-safe snapshot; called from the management API's thread.
   */
  default Map<String, Object> statusDetails() {
    return Map.of();
  }

  /** Bound listeners, for the start-up log and tests that bind port 0; any thread, after start. */
  default List<ListenerInfo> listeners() {
    return List.of();
  }

  /**
   * The adapter's own management resources under {@code /api/v5/gateways/<protocol>/}, or null (the
   * default: the core answers 404 there). Called from the management API's threads, after start.
   */
  default AdapterApi api() {
    return null;
  }
}
