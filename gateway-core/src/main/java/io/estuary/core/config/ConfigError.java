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

  public String key() {
    return key;
  }
}
