package io.estuary.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.estuary.api.limits.ByteSize;

/**
 * Sizes in the config read as EMQX reads them ({@link ByteSize}: {@code 64KB}, {@code 1MB}, 1024-based), in place of
 * Typesafe Config's {@code getBytes}, which takes {@code MB} as 1,000,000 and refuses {@code KB}. Bad values throw
 * Typesafe's own exceptions, so they are reported with their key like every other bad value.
 */
final class ConfigSizes {
  private ConfigSizes() {}

  /** The size at {@code path}: a number of bytes, or a string with a unit. */
  static long bytes(Config c, String path) {
    ConfigValue v = c.getValue(path);
    long n;
    if (v.valueType() == ConfigValueType.NUMBER) {
      n = ((Number) v.unwrapped()).longValue();
    } else if (v.valueType() == ConfigValueType.STRING) {
      try {
        n = ByteSize.parse((String) v.unwrapped());
      } catch (IllegalArgumentException e) {
        throw new ConfigException.BadValue(v.origin(), path, e.getMessage());
      }
    } else {
      throw new ConfigException.WrongType(v.origin(), path, "a size (65536, \"64KB\", \"1MB\")", v.valueType().name());
    }
    if (n < 0) {
      throw new ConfigException.BadValue(v.origin(), path, "a size cannot be negative: " + v.unwrapped());
    }
    return n;
  }
}
