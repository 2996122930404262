package io.estuary.uplink.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How to reach one upstream broker.
 *
 * @param receiveMaximum how many QoS 1/2 messages the upstream broker may have in flight to us (v5)
 */
public record LinkOptions(
    String host,
    int port,
    MqttVersion version,
    String clientId,
    boolean cleanStart,
    Duration sessionExpiry,
    Duration keepAlive,
    String username,
    String password,
    TlsOptions tls,
    Backoff backoff,
    int receiveMaximum) {

  /** The protocol version spoken upstream. */
  public enum MqttVersion { V4, V5 }

  public LinkOptions {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(sessionExpiry, "sessionExpiry");
    Objects.requireNonNull(keepAlive, "keepAlive");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(backoff, "backoff");
    username = username == null ? "" : username;
    password = password == null ? "" : password;
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, was " + port);
    }
    if (receiveMaximum < 1 || receiveMaximum > 65535) {
      throw new IllegalArgumentException("receiveMaximum must be 1..65535, was " + receiveMaximum);
    }
  }

  /** Never prints the password. */
  @Override
  public String toString() {
    return "LinkOptions[host=" + host + ", port=" + port + ", version=" + version + ", clientId=" + clientId
        + ", cleanStart=" + cleanStart + ", sessionExpiry=" + sessionExpiry + ", keepAlive=" + keepAlive
        + ", username=" + username + ", password=" + (password.isEmpty() ? "" : "***") + ", tls=" + tls
        + ", backoff=" + backoff + ", receiveMaximum=" + receiveMaximum + "]";
  }
}
