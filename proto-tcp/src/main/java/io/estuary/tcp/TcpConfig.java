package io.estuary.tcp;

import io.estuary.tcp.codec.Framing;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * {@code gateway.tcp}: what every listener shares (topic templates, QoS, sessions) and the listeners.
 *
 * @param upTopic where a device's frames are published; {@code %c}/{@code ${clientid}}, {@code %u}/{@code ${username}}
 * @param dnTopic the device's session subscribes to it; what arrives there is written to the device
 * @param maxPacketSize the largest EMQX-framing payload (1..65535)
 * @param idleTimeout how long a connection may stay without CONNECT (EMQX framing) or without a first frame
 * @param sessionExpiry how long a persistent session ({@code cleanStart = false}) outlives its connection
 * @param maxMqueueLen downlink messages buffered while the device is away (0 = the broker's {@code mqtt.max_mqueue_len})
 */
public record TcpConfig(String upTopic, String dnTopic, int upQos, int dnQos, int maxPacketSize, Duration idleTimeout,
    boolean cleanStart, Duration sessionExpiry, int maxMqueueLen, List<Listener> listeners) {

  public TcpConfig {
    Objects.requireNonNull(upTopic, "upTopic");
    Objects.requireNonNull(dnTopic, "dnTopic");
    listeners = List.copyOf(listeners);
  }

  /**
   * One listener {@code listeners.<tcp|ssl>.<name>}.
   *
   * @param tls null on plain TCP
   * @param framing null for EMQX's framing
   * @param identity how a device on a configurable framing is named; null for EMQX's framing (CONNECT names it)
   * @param keepAlive configurable framings: the connection ends after this long without a frame (zero = never)
   * @param maxConnRate {@code max_conn_rate}: connections accepted per period; over it they are closed at accept
   * @param messagesRate {@code messages_rate}: uplink frames (DATATRANS, configurable-framing frames) one connection
   *     may send per period; over it the connection stops reading until it is back under the rate
   * @param bytesRate {@code bytes_rate}: bytes of frames one connection may send per period, the same way
   */
  public record Listener(String type, String name, InetSocketAddress bind, int maxConnections, boolean proxyProtocol,
      Duration proxyProtocolTimeout, TlsOptions tls, Framing framing, Identity identity, Duration keepAlive,
      io.estuary.api.limits.Rate maxConnRate, io.estuary.api.limits.Rate messagesRate,
      io.estuary.api.limits.Rate bytesRate) {

    /** A listener without per-client rates. */
    public Listener(String type, String name, InetSocketAddress bind, int maxConnections, boolean proxyProtocol,
        Duration proxyProtocolTimeout, TlsOptions tls, Framing framing, Identity identity, Duration keepAlive,
        io.estuary.api.limits.Rate maxConnRate) {
      this(type, name, bind, maxConnections, proxyProtocol, proxyProtocolTimeout, tls, framing, identity, keepAlive,
          maxConnRate, io.estuary.api.limits.Rate.INFINITY, io.estuary.api.limits.Rate.INFINITY);
    }

    /** A listener without a connection rate limit (tests). */
    public Listener(String type, String name, InetSocketAddress bind, int maxConnections, boolean proxyProtocol,
        Duration proxyProtocolTimeout, TlsOptions tls, Framing framing, Identity identity, Duration keepAlive) {
      this(type, name, bind, maxConnections, proxyProtocol, proxyProtocolTimeout, tls, framing, identity, keepAlive,
          io.estuary.api.limits.Rate.INFINITY);
    }

    /** "tcp:default": the listener's name in logs, listings and {@code ClientInfo.listener()}. */
    public String id() {
      return type + ":" + name;
    }

    /** The framing's name as listed: {@code emqx}, {@code length_field}, {@code delimiter}, {@code line}, {@code fixed}. */
    public String framingName() {
      return framing == null ? "emqx" : framing.name();
    }
  }

  /**
   * {@code ssl_options} (EMQX's names). Empty cert/key files mean a self-signed certificate generated at start.
   *
   * @param versions JDK protocol names (tls-support's TlsVersions)
   * @param ciphers null for the JDK's defaults
   */
  public record TlsOptions(String certFile, String keyFile, String caCertFile, boolean verifyPeer, boolean failIfNoPeerCert,
      List<String> versions, List<String> ciphers) {
    public TlsOptions {
      versions = List.copyOf(versions);
      ciphers = ciphers == null ? null : List.copyOf(ciphers);
    }

    public boolean selfSigned() {
      return certFile.isEmpty() || keyFile.isEmpty();
    }
  }

  /** Where a configurable-framing device's client id comes from. */
  public enum IdentitySource {
    /** The peer's IP address (the PROXY protocol's source address behind a load balancer). */
    PEER_ADDRESS,
    /** The CN of the TLS client certificate. */
    CERTIFICATE_CN,
    /** A regex over the first frame (group 1 if it has one, else the whole match). */
    HELLO_REGEX,
    /** A byte range of the first frame, as text or hex. */
    HELLO_BYTES
  }

  /**
   * {@code identity}: how a device speaking a configurable framing is named.
   *
   * @param regex for HELLO_REGEX, matched against the frame read as ISO-8859-1 (one char per byte)
   * @param hex HELLO_BYTES: the bytes in lower-case hex (else as UTF-8 text)
   * @param publishHello whether the hello frame is also published on the up topic
   */
  public record Identity(IdentitySource source, Pattern regex, int offset, int length, boolean hex, boolean publishHello) {
    public Identity {
      Objects.requireNonNull(source, "source");
    }

    public boolean fromHello() {
      return source == IdentitySource.HELLO_REGEX || source == IdentitySource.HELLO_BYTES;
    }
  }
}
