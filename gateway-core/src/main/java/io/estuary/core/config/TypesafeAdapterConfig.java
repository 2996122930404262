package io.estuary.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.estuary.api.AdapterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/** {@link AdapterConfig} over a Typesafe subtree (path "" = the root); errors name the full key. */
public final class TypesafeAdapterConfig implements AdapterConfig {
  private final String path;
  private final Config config;

  public TypesafeAdapterConfig(String path, Config config) {
    this.path = path;
    this.config = config;
  }

  @Override
  public String path() {
    return path;
  }

  /** The full key of {@code key} under this block. */
  private String full(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  @Override
  public boolean has(String key) {
    return config.hasPath(key);
  }

  private <T> T get(String key, Supplier<T> getter) {
    try {
      return getter.get();
    } catch (ConfigException e) {
      throw new ConfigError(full(key), e.getMessage());
    }
  }

  @Override
  public String getString(String key) {
    return get(key, () -> config.getString(key));
  }

  @Override
  public int getInt(String key) {
    return get(key, () -> config.getInt(key));
  }

  @Override
  public long getLong(String key) {
    return get(key, () -> config.getLong(key));
  }

  @Override
  public boolean getBoolean(String key) {
    return get(key, () -> config.getBoolean(key));
  }

  @Override
  public Duration getDuration(String key) {
    return get(key, () -> config.getDuration(key));
  }

  @Override
  public long getBytes(String key) {
    return get(key, () -> ConfigSizes.bytes(config, key));
  }

  @Override
  public List<String> getStringList(String key) {
    return get(key, () -> config.getStringList(key));
  }

  @Override
  public AdapterConfig getConfig(String key) {
    return new TypesafeAdapterConfig(full(key), get(key, () -> config.getConfig(key)));
  }

  @Override
  public List<AdapterConfig> getConfigList(String key) {
    List<? extends Config> list = get(key, () -> config.getConfigList(key));
    List<AdapterConfig> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      out.add(new TypesafeAdapterConfig(full(key) + "[" + i + "]", list.get(i)));
    }
    return out;
  }

  @Override
  public Set<String> keys() {
    return config.root().keySet();
  }

  @Override
  public IllegalArgumentException invalid(String key, String expected) {
    String value = config.hasPath(key) ? config.getValue(key).render() : "(missing)";
    return new ConfigError(full(key), value, expected);
  }
}
