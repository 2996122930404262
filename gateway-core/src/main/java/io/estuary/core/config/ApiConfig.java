package io.estuary.core.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * {@code api.*}: the management HTTP API (docs/operations.md, docs/security.md).
 *
 * @param bind where it listens, null = disabled ({@code api.enable = false}); loopback by default
 * @param bootstrapFile EMQX's {@code api_key.bootstrap_file}: {@code key:secret} lines, "" = none
 * @param localKey write {@code <persistence.dir>/ctl.key} (owner-only) so {@code estuary ctl} on this machine needs no flags
 * @param statusAuth {@code /status} needs an API key too
 * @param metricsAuth {@code /metrics} needs an API key too
 * @param idleTimeout a connection without a complete request for this long is closed
 * @param maxRequestSize bigger requests are answered 413 and closed
 * @param tls HTTPS settings, or null for plain HTTP
 */
public record ApiConfig(InetSocketAddress bind, String bootstrapFile, boolean localKey, boolean statusAuth,
    boolean metricsAuth, Duration idleTimeout, int maxRequestSize, Tls tls) {

  public ApiConfig {
    Objects.requireNonNull(bootstrapFile, "bootstrapFile");
    if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new ConfigError("api.idle_timeout", String.valueOf(idleTimeout), "a positive duration");
    }
    if (maxRequestSize < 1024) {
      throw new ConfigError("api.max_request_size", String.valueOf(maxRequestSize), "at least 1KB");
    }
  }

  /**
   * {@code api.ssl.*}: PEM files read with tls-support's PemLoader.
   *
   * @param versions JDK protocol names, TLS 1.2 or newer only
   * @param ciphers cipher suites, or null for the JDK's defaults
   * @param verifyPeer require a client certificate chaining to {@code caCertFile}
   */
  public record Tls(String certFile, String keyFile, String caCertFile, boolean verifyPeer, List<String> versions,
      List<String> ciphers) {
    public Tls {
      versions = List.copyOf(versions);
      ciphers = ciphers == null ? null : List.copyOf(ciphers);
    }
  }
}
