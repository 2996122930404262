package io.estuary.api;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * An adapter's config block ({@code gateway.<name>}), read-only. Getters fail with
 * {@link IllegalArgumentException} naming the full key, the value and what was expected.
 */
public interface AdapterConfig {
  /** The full path of this block, e.g. "gateway.mqttsn". */
  String path();

  boolean has(String key);

  String getString(String key);

  int getInt(String key);

  long getLong(String key);

  boolean getBoolean(String key);

  Duration getDuration(String key);

  /** A size such as "64KB" or a plain number of bytes. */
  long getBytes(String key);

  List<String> getStringList(String key);

  /** A listener bind: "host:port", "[v6]:port" or a bare port (see {@link BindAddress}). */
  default java.net.InetSocketAddress getAddress(String key) {
    try {
      return BindAddress.parse(getString(key));
    } catch (IllegalArgumentException e) {
      throw invalid(key, "\"host:port\" or a port 0..65535");
    }
  }

  AdapterConfig getConfig(String key);

  List<AdapterConfig> getConfigList(String key);

  /** Keys directly under this block (for maps such as listeners). */
  Set<String> keys();

  /**
   * The enabled listener blocks {@code listeners.<type>.<name>} (a block is enabled unless it says
   * {@code enable = false}), by name in config order.
   */
  default java.util.Map<String, AdapterConfig> enabledListeners(String type) {
    java.util.Map<String, AdapterConfig> out = new java.util.LinkedHashMap<>();
    String key = "listeners." + type;
    if (has(key)) {
      AdapterConfig listeners = getConfig(key);
      for (String name : listeners.keys()) {
        AdapterConfig l = listeners.getConfig(name);
        if (!l.has("enable") || l.getBoolean("enable")) {
          out.put(name, l);
        }
      }
    }
    return out;
  }

  /** Builds a failure naming the key, the value and what was expected. */
  IllegalArgumentException invalid(String key, String expected);
}
