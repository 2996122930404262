package io.estuary.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.estuary.api.AdapterConfig;
import io.estuary.core.config.TypesafeAdapterConfig;

/** Adapter config blocks for unit tests of an adapter's config parsing, bound the way the gateway binds them. */
public final class TestConfigs {
  private TestConfigs() {}

  /**
   * The block at {@code path} (e.g. {@code gateway.lwm2m}) of {@code hocon} laid over every
   * {@code reference.conf} on the class path: what the adapter's factory receives at start.
   */
  public static AdapterConfig adapterConfig(String path, String hocon) {
    Config c = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve();
    return new TypesafeAdapterConfig(path, c.getConfig(path));
  }

  /** {@code blockHocon} alone as the block at {@code path}: no defaults, for parsers of sub-blocks. */
  public static AdapterConfig block(String path, String blockHocon) {
    return new TypesafeAdapterConfig(path, ConfigFactory.parseString(blockHocon).resolve());
  }
}
