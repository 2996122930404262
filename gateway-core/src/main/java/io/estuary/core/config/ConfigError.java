package io.estuary.core.config;

/** Invalid configuration: names the key, the value given and what was expected. */
public final class ConfigError extends IllegalArgumentException {
  private final String key;

  public ConfigError(String key, String value, String expected) {
    super("invalid config: " + key + " = " + value + " (expected " + expected + ")");
    this.key = key;
  }

  public ConfigError(String key, String message) {
    super("invalid config: " + key + ": " + message);
    this.key = key;
  }

  private ConfigError(java.util.List<String> lines, String key) {
    super((lines.size() == 1 ? "unknown config key: " : "unknown config keys:\n  ") + String.join("\n  ", lines));
    this.key = key;
  }

  /** Keys no module knows, one line each ("a.b is not a config key (file line 3): did you mean a.c?"). */
  static ConfigError unknownKeys(String firstKey, java.util.List<String> lines) {
    return new ConfigError(lines, firstKey);
  }

  public String key() {
    return key;
  }
}
