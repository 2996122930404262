package io.estuary.stomp;

import io.estuary.api.AdapterConfig;
import io.estuary.stomp.codec.FrameLimits;
import io.estuary.tls.TlsVersions;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code gateway.stomp}: EMQX's STOMP option names where EMQX has one ({@code frame.*},
 * {@code allow_anonymous}, {@code default_user}), ours for what EMQX does not do (acknowledgement,
 * transactions, heart-beat enforcement). Defaults are in the module's reference.conf (docs/stomp.md).
 *
 * @param maxUnacked MESSAGEs sent and not yet acknowledged per client-ack subscription (a prefetch)
 * @param maxInflight the session's whole window of unacknowledged messages (also capped by the core's
 *     {@code mqtt.max_inflight})
 * @param maxRedeliveries NACKs of one message before it is dropped or dead-lettered (0: never redelivered)
 * @param deadLetterTopic where a message goes after maxRedeliveries ("": dropped)
 * @param autoAckQos the QoS ack:auto subscriptions take (0 or 1)
 * @param sendQos the QoS of SEND frames' messages (0 or 1)
 */
public record StompConfig(
    FrameLimits limits,
    boolean allowAnonymous,
    String defaultLogin,
    String defaultPasscode,
    Duration heartbeatSend,
    Duration heartbeatReceive,
    double heartbeatMultiplier,
    Duration idleTimeout,
    String mountpoint,
    int maxSubscriptions,
    int maxUnacked,
    int maxInflight,
    int maxRedeliveries,
    String deadLetterTopic,
    int autoAckQos,
    int sendQos,
    int maxTransactions,
    int maxTransactionFrames,
    Duration sessionExpiry,
    List<Listener> listeners) {

  /**
   * One listener: {@code listeners.<type>.<name>}.
   *
   * @param type tcp, ssl, ws or wss
   * @param tls ssl_options of ssl/wss, else null
   * @param wsPath the WebSocket path of ws/wss
   * @param maxConnRate {@code max_conn_rate}: connections accepted per period; over it they are closed at accept
   * @param messagesRate {@code messages_rate}: SEND frames one connection may send per period; over it the
   *     connection stops reading until it is back under the rate (nothing is dropped)
   * @param bytesRate {@code bytes_rate}: bytes of frames one connection may send per period, the same way
   */
  public record Listener(String type, String name, InetSocketAddress bind, int maxConnections, Tls tls, String wsPath,
      io.estuary.api.limits.Rate maxConnRate, io.estuary.api.limits.Rate messagesRate,
      io.estuary.api.limits.Rate bytesRate) {
    public String id() {
      return type + ":" + name;
    }

    public String key() {
      return "listeners." + type + "." + name;
    }

    public boolean websocket() {
      return type.equals("ws") || type.equals("wss");
    }
  }

  /** A listener's {@code ssl_options}; empty cert/key files mean a self-signed certificate made at start. */
  public record Tls(String certFile, String keyFile, String caCertFile, boolean verifyPeer, boolean failIfNoPeerCert,
      List<String> versions) {
    public boolean selfSigned() {
      return certFile.isEmpty() || keyFile.isEmpty();
    }
  }

  public StompConfig {
    listeners = List.copyOf(listeners);
    if (autoAckQos < 0 || autoAckQos > 1 || sendQos < 0 || sendQos > 1) {
      throw new IllegalArgumentException("ack_auto_qos and send_qos must be 0 or 1");
    }
  }

  /** Reads and checks {@code gateway.stomp}; errors name the key as the user wrote it. */
  public static StompConfig read(AdapterConfig c) {
    AdapterConfig frame = c.getConfig("frame");
    FrameLimits limits;
    try {
      limits = new FrameLimits(frame.getInt("max_headers"), (int) frame.getBytes("max_header_length"),
          (int) frame.getBytes("max_body_length"));
    } catch (IllegalArgumentException e) {
      throw c.invalid("frame", "max_headers >= 1, max_header_length >= 8, max_body_length >= 0");
    }
    AdapterConfig hb = c.getConfig("heartbeat");
    double multiplier = Double.parseDouble(hb.getString("multiplier"));
    if (!(multiplier >= 1.0)) {
      throw hb.invalid("multiplier", "a number >= 1.0");
    }
    int autoQos = range(c, "ack_auto_qos", 0, 1);
    int sendQos = range(c, "send_qos", 0, 1);
    AdapterConfig user = c.getConfig("default_user");
    AdapterConfig redelivery = c.getConfig("redelivery");
    return new StompConfig(limits, c.getBoolean("allow_anonymous"), user.getString("login"), user.getString("passcode"),
        hb.getDuration("send"), hb.getDuration("receive"), multiplier, c.getDuration("idle_timeout"),
        c.getString("mountpoint"), range(c, "max_subscriptions", 1, 100_000), range(c, "max_unacked", 1, 65535),
        range(c, "max_inflight", 1, 65535), range(redelivery, "max_redeliveries", 0, 1_000_000),
        redelivery.getString("dead_letter_topic"), autoQos, sendQos, range(c, "max_transactions", 0, 10_000),
        range(c, "max_transaction_frames", 1, 1_000_000), c.getDuration("session_expiry_interval"), listeners(c));
  }

  private static int range(AdapterConfig c, String key, int min, int max) {
    int v = c.getInt(key);
    if (v < min || v > max) {
      throw c.invalid(key, "an integer " + min + ".." + max);
    }
    return v;
  }

  private static List<Listener> listeners(AdapterConfig c) {
    List<Listener> out = new ArrayList<>();
    for (String type : List.of("tcp", "ssl", "ws", "wss")) {
      for (Map.Entry<String, AdapterConfig> e : c.enabledListeners(type).entrySet()) {
        AdapterConfig l = e.getValue();
        boolean secure = type.equals("ssl") || type.equals("wss");
        boolean ws = type.equals("ws") || type.equals("wss");
        int max = l.has("max_connections") ? l.getInt("max_connections") : 1024;
        if (max < 0) {
          throw l.invalid("max_connections", "an integer >= 0");
        }
        String path = ws ? (l.has("path") ? l.getString("path") : "/ws") : null;
        out.add(new Listener(type, e.getKey(), l.getAddress("bind"), max, secure ? tls(l) : null, path,
            rate(l, "max_conn_rate", "\"100/s\""), rate(l, "messages_rate", "\"100/s\""),
            rate(l, "bytes_rate", "\"64KB/s\"")));
      }
    }
    return out;
  }

  /** A listener's rate ({@code max_conn_rate}, {@code messages_rate}, {@code bytes_rate}); absent = infinity. */
  private static io.estuary.api.limits.Rate rate(AdapterConfig l, String key, String example) {
    try {
      return io.estuary.api.limits.Rate.parse(l.has(key) ? l.getString(key) : "infinity");
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw l.invalid(key, "a rate such as " + example + " or infinity");
    }
  }

  private static Tls tls(AdapterConfig l) {
    if (!l.has("ssl_options")) {
      throw l.invalid("ssl_options", "a block with certfile and keyfile (empty: a self-signed certificate)");
    }
    AdapterConfig s = l.getConfig("ssl_options");
    String verify = s.has("verify") ? s.getString("verify") : "verify_none";
    if (!verify.equals("verify_none") && !verify.equals("verify_peer")) {
      throw s.invalid("verify", "verify_none or verify_peer");
    }
    List<String> versions;
    try {
      versions = TlsVersions.versions(s.has("versions") ? s.getStringList("versions") : List.of());
    } catch (IllegalArgumentException e) {
      throw s.invalid("versions", "TLS versions tlsv1.3 and/or tlsv1.2 (" + e.getMessage() + ")");
    }
    return new Tls(str(s, "certfile"), str(s, "keyfile"), str(s, "cacertfile"), verify.equals("verify_peer"),
        s.has("fail_if_no_peer_cert") && s.getBoolean("fail_if_no_peer_cert"), versions);
  }

  private static String str(AdapterConfig c, String key) {
    return c.has(key) ? c.getString(key) : "";
  }
}
