package io.estuary.mqtt;

import io.estuary.api.limits.Rate;
import java.util.List;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One MQTT listener {@code listeners.<type>.<name>}.
 *
 * @param type tcp, ssl, ws or wss
 * @param tls the {@code ssl_options} of ssl/wss; null for tcp/ws
 * @param wsPath the WebSocket path of ws/wss ("/mqtt")
 * @param maxConnections connections beyond this get CONNACK 0x97 (3.1.1: 0x03) to their CONNECT and are closed
 * @param maxConnRate {@code max_conn_rate}: connections accepted per period; over it they are closed at accept
 * @param messagesRate {@code messages_rate}: PUBLISH packets one client may send per period; over it the
 *     listener stops reading from that client until the rate allows more
 * @param bytesRate {@code bytes_rate}: bytes one client may send per period, enforced the same way
 */
public record MqttListenerConfig(
    String type, String name, InetSocketAddress bind, String mountpoint, TlsOptions tls, String wsPath, int maxConnections,
    Rate maxConnRate, Rate messagesRate, Rate bytesRate) {

  /** A listener without rate limits (tests). */
  public MqttListenerConfig(String type, String name, InetSocketAddress bind, String mountpoint, TlsOptions tls, String wsPath,
      int maxConnections) {
    this(type, name, bind, mountpoint, tls, wsPath, maxConnections, Rate.INFINITY, Rate.INFINITY, Rate.INFINITY);
  }

  public MqttListenerConfig {
    Objects.requireNonNull(maxConnRate, "maxConnRate");
    Objects.requireNonNull(messagesRate, "messagesRate");
    Objects.requireNonNull(bytesRate, "bytesRate");
    Objects.requireNonNull(bind, "bind");
    mountpoint = mountpoint == null ? "" : mountpoint;
    if (!isType(type)) {
      throw new IllegalArgumentException("unknown listener type " + type + ", expected tcp, ssl, ws or wss");
    }
    if ((type.equals("ssl") || type.equals("wss")) && tls == null) {
      throw new IllegalArgumentException("listener " + type + ":" + name + " needs ssl_options");
    }
    if (maxConnections < 0) {
      throw new IllegalArgumentException("maxConnections must be >= 0, was " + maxConnections);
    }
  }

  static boolean isType(String type) {
    return type.equals("tcp") || type.equals("ssl") || type.equals("ws") || type.equals("wss");
  }

  /** "tcp:default": the listener's name in logs, listings and {@code ClientInfo.listener()}. */
  public String id() {
    return type + ":" + name;
  }

  /** The config key of this listener's block, for error messages. */
  public String key() {
    return "listeners." + type + "." + name;
  }

  public boolean secure() {
    return tls != null;
  }

  public boolean websocket() {
    return type.equals("ws") || type.equals("wss");
  }

  /**
   * TLS options of a listener (EMQX's {@code ssl_options}). Empty cert/key files mean a self-signed
   * certificate generated at start (logged as a warning).
   */
  /**
   * {@code ssl_options}.
   *
   * @param versions JDK protocol names, TLS 1.2 or newer only (tls-support's TlsVersions)
   * @param ciphers cipher suites, or null for the JDK's defaults
   */
  public record TlsOptions(String certFile, String keyFile, String caCertFile, boolean verifyPeer, boolean failIfNoPeerCert,
      List<String> versions, List<String> ciphers) {
    public TlsOptions {
      certFile = certFile == null ? "" : certFile;
      keyFile = keyFile == null ? "" : keyFile;
      caCertFile = caCertFile == null ? "" : caCertFile;
      versions = versions == null ? io.estuary.tls.TlsVersions.DEFAULT : List.copyOf(versions);
      ciphers = ciphers == null ? null : List.copyOf(ciphers);
    }

    public boolean selfSigned() {
      return certFile.isEmpty() || keyFile.isEmpty();
    }
  }
}
