package io.estuary.core.server;

import com.typesafe.config.Config;
import io.estuary.core.config.ConfigError;
import io.estuary.core.webhooks.Webhook;
import io.estuary.core.webhooks.WebhookPlugin;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** {@code webhooks.*}: the webhooks plugin and the endpoints registered in the config (VerneMQ's {@code vmq_webhooks.<name>}). */
final class Webhooks {
  private Webhooks() {
  }

  /** The plugin when {@code webhooks.enable}, else null. */
  static WebhookPlugin fromConfig(Config raw, Clock clock) {
    if (!raw.hasPath("webhooks") || !raw.getBoolean("webhooks.enable")) {
      return null;
    }
    List<Webhook> initial = new ArrayList<>();
    java.util.Map<Object, String> pairs = new java.util.HashMap<>(); // a registration's pair -> the key that named it
    Config endpoints = raw.getConfig("webhooks.endpoints");
    for (String name : new TreeSet<>(endpoints.root().keySet())) {
      Config e = endpoints.getConfig("\"" + name + "\"");
      String key = "webhooks.endpoints." + name;
      Webhook w;
      try {
        w = new Webhook(e.getString("hook"), URI.create(e.getString("endpoint")),
            !e.hasPath("base64payload") || e.getBoolean("base64payload"), e.hasPath("no_payload") && e.getBoolean("no_payload"));
      } catch (RuntimeException ex) {
        throw new ConfigError(key, ex.getMessage());
      }
      String twice = pairs.putIfAbsent(w.pair(), key);
      if (twice != null) {
        throw new ConfigError(key, "the same hook and endpoint as " + twice);
      }
      initial.add(w);
    }
    int maxInflight = raw.getInt("webhooks.max_inflight");
    if (maxInflight < 1) {
      throw new ConfigError("webhooks.max_inflight", Integer.toString(maxInflight), "a positive number");
    }
    int maxRegistrations = raw.getInt("webhooks.max_registrations");
    if (maxRegistrations < 1) {
      throw new ConfigError("webhooks.max_registrations", Integer.toString(maxRegistrations), "a positive number");
    }
    try {
      return new WebhookPlugin(initial, raw.getDuration("webhooks.response_timeout"), raw.getInt("webhooks.cache_size"),
          clock, maxInflight, maxRegistrations);
    } catch (IllegalArgumentException e) { // more webhooks.endpoints than the limit (pairs configured twice: above)
      throw new ConfigError("webhooks.max_registrations", e.getMessage());
    }
  }
}
