package io.estuary.core.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import io.estuary.api.hooks.PluginContext;
import io.estuary.core.config.GatewayConfig;
import io.estuary.core.session.Broker;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;

/** A plugin's {@link PluginContext}: its block {@code plugins.<name>} flattened to strings, and the broker's clock and timer. */
final class PluginSettings implements PluginContext {
  private final Map<String, String> config;
  private final Broker broker;

  PluginSettings(String name, GatewayConfig gateway, Broker broker) {
    this.broker = broker;
    Map<String, String> flat = new TreeMap<>();
    String path = "plugins.\"" + name + "\"";
    if (gateway.raw().hasPath(path)) {
      Config c = gateway.raw().getConfig(path);
      for (Map.Entry<String, ConfigValue> e : c.entrySet()) {
        Object v = e.getValue().unwrapped();
        flat.put(e.getKey(), v instanceof java.util.List<?> l ? String.join(",", l.stream().map(String::valueOf).toList())
            : String.valueOf(v));
      }
    }
    this.config = Map.copyOf(flat);
  }

  @Override
  public String nodeName() {
    return broker.nodeName();
  }

  @Override
  public Map<String, String> config() {
    return config;
  }

  @Override
  public Clock clock() {
    return broker.clock();
  }

  @Override
  public ScheduledExecutorService scheduler() {
    return broker.scheduler();
  }
}
