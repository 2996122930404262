package io.estuary.core.config;

import java.net.InetSocketAddress;

/**
 * One MQTT listener {@code listeners.<type>.<name>}.
 *
 * @param type tcp, ssl, ws or wss
 * @param tls null for tcp/ws
 * @param wsPath the WebSocket path for ws/wss ("/mqtt")
 */
public record ListenerConfig(
    String type, String name, InetSocketAddress bind, String mountpoint, TlsConfig tls, String wsPath, int maxConnections) {

  public ListenerConfig {
    if (!type.equals("tcp") && !type.equals("ssl") && !type.equals("ws") && !type.equals("wss")) {
      throw new ConfigError("listeners." + type, "unknown listener type, expected tcp, ssl, ws or wss");
    }
    if ((type.equals("ssl") || type.equals("wss")) && tls == null) {
      throw new ConfigError("listeners." + type + "." + name + ".ssl_options", "missing");
    }
  }

  public String id() {
    return type + ":" + name;
  }

  public boolean secure() {
    return tls != null;
  }

  public boolean websocket() {
    return type.equals("ws") || type.equals("wss");
  }
}
