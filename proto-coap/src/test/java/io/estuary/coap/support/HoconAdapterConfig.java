package io.estuary.coap.support;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.estuary.api.AdapterConfig;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** Test stand-in for the core's AdapterConfig until the test kit exists: reference.conf + overrides. */
public final class HoconAdapterConfig implements AdapterConfig {
  private final Config config;
  private final String path;

  private HoconAdapterConfig(Config config, String path) {
    this.config = config;
    this.path = path;
  }

  public static AdapterConfig coap(String... overrides) {
    Config c = ConfigFactory.parseString(String.join("\n", overrides)).withFallback(ConfigFactory.defaultReference())
        .resolve();
    return new HoconAdapterConfig(c.getConfig("gateway.coap"), "gateway.coap");
  }

  @Override public String path() { return path; }
  @Override public boolean has(String key) { return config.hasPath(key); }
  @Override public String getString(String key) { return wrap(key, () -> config.getString(key)); }
  @Override public int getInt(String key) { return wrap(key, () -> config.getInt(key)); }
  @Override public long getLong(String key) { return wrap(key, () -> config.getLong(key)); }
  @Override public boolean getBoolean(String key) { return wrap(key, () -> config.getBoolean(key)); }
  @Override public Duration getDuration(String key) { return wrap(key, () -> config.getDuration(key)); }
  @Override public long getBytes(String key) { return wrap(key, () -> config.getBytes(key)); }
  @Override public List<String> getStringList(String key) { return wrap(key, () -> config.getStringList(key)); }
  @Override public AdapterConfig getConfig(String key) { return new HoconAdapterConfig(config.getConfig(key), path + "." + key); }

  @Override
  public List<AdapterConfig> getConfigList(String key) {
    return config.getConfigList(key).stream().map(c -> (AdapterConfig) new HoconAdapterConfig(c, path + "." + key)).toList();
  }

  @Override public Set<String> keys() { return config.root().keySet(); }

  @Override
  public IllegalArgumentException invalid(String key, String expected) {
    String value = config.hasPath(key) ? config.getValue(key).render() : "(missing)";
    return new IllegalArgumentException(path + "." + key + " = " + value + ": expected " + expected);
  }

  private <T> T wrap(String key, java.util.function.Supplier<T> s) {
    try {
      return s.get();
    } catch (ConfigException e) {
      throw new IllegalArgumentException(path + "." + key + ": " + e.getMessage(), e);
    }
  }
}
