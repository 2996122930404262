package io.estuary.api.hooks;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the gateway gives a plugin at {@link HookPlugin#start}: its config block
 * ({@code plugins.<name>.*} as flat dotted keys and string values), the node name, a clock and the
 * gateway's shared timer thread (short tasks only).
 */
public interface PluginContext {
  String nodeName();

  /** The plugin's config ({@code plugins.<name>}), flattened: {@code "url" -> "http://..."}; empty if none. */
  Map<String, String> config();

  Clock clock();

  ScheduledExecutorService scheduler();
}
