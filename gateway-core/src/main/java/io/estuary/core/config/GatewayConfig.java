package io.estuary.core.config;

import com.typesafe.config.Config;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The core's validated configuration. {@code raw} keeps the merged HOCON tree for the adapters, which
 * bind their own records: {@code gateway.<name>}, the uplink, and the MQTT listeners ({@code
 * listeners.*} with the {@code mqtt.*} limits they enforce).
 */
public record GatewayConfig(
    String nodeName,
    MqttLimits mqtt,
    AuthConfig auth,
    Duration sysInterval,
    ApiConfig api,
    PersistenceConfig persistence,
    Duration shutdownGrace,
    Config raw) {

  /** Leaves out {@code raw}: the merged HOCON tree holds every password, PSK and uplink secret of the file. */
  @Override
  public String toString() {
    return "GatewayConfig[nodeName=" + nodeName + ", mqtt=" + mqtt + ", auth=" + auth + ", sysInterval=" + sysInterval
        + ", api=" + api + ", persistence=" + persistence + ", shutdownGrace=" + shutdownGrace + "]";
  }

  /** Where the management API listens, or null when it is disabled. */
  public InetSocketAddress managementBind() {
    return api.bind();
  }
}
