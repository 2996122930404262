package io.estuary.core.config;

import com.typesafe.config.Config;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * The whole validated configuration. {@code raw} keeps the merged HOCON tree for adapter blocks
 * ({@code gateway.<name>}) and the uplink, which bind their own records.
 */
public record GatewayConfig(
    String nodeName,
    MqttLimits mqtt,
    List<ListenerConfig> listeners,
    AuthConfig auth,
    Duration sysInterval,
    InetSocketAddress managementBind,
    PersistenceConfig persistence,
    Duration shutdownGrace,
    Config raw) {

  public GatewayConfig {
    listeners = List.copyOf(listeners);
  }
}
