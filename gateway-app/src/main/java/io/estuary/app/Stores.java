package io.estuary.app;

import io.estuary.core.config.GatewayConfig;
import io.estuary.core.server.Gateway;
import io.estuary.core.store.Store;
import java.util.function.Function;

/** Picks the store implementation from {@code persistence.*}. */
final class Stores {
  private Stores() {}

  static Function<GatewayConfig, Store> forConfig() {
    return cfg -> {
      if (cfg.persistence().enabled()) {
        org.slf4j.LoggerFactory.getLogger(Stores.class)
            .warn("persistence.enabled = true but the durable store is not built yet; using the in-memory store");
      }
      return Gateway.memoryStore(cfg);
    };
  }
}
