package io.estuary.mqtt;

import io.estuary.api.AdapterConfig;
import io.estuary.api.limits.Rate;
import io.estuary.mqtt.MqttListenerConfig.TlsOptions;
import io.estuary.tls.TlsVersions;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Binds {@code mqtt.*} and {@code listeners.*} of the root view to the listener's records; every
 * problem is an error naming the key, the value and what was expected ({@link AdapterConfig#invalid}).
 */
public final class MqttConfigReader {
  private MqttConfigReader() {}

  public static MqttListenerLimits limits(AdapterConfig c) {
    int maxPacketSize = (int) range(c, "mqtt.max_packet_size", c.getBytes("mqtt.max_packet_size"), 64, 268_435_455, "64B..256MB");
    int maxClientId = (int) range(c, "mqtt.max_clientid_len", c.getInt("mqtt.max_clientid_len"), 23, 65535, "23..65535");
    int levels = (int) range(c, "mqtt.max_topic_levels", c.getInt("mqtt.max_topic_levels"), 1, Integer.MAX_VALUE, ">= 1");
    int qos = (int) range(c, "mqtt.max_qos_allowed", c.getInt("mqtt.max_qos_allowed"), 0, 2, "0, 1 or 2");
    int alias = (int) range(c, "mqtt.max_topic_alias", c.getInt("mqtt.max_topic_alias"), 0, 65535, "0..65535");
    int inflight = (int) range(c, "mqtt.max_inflight", c.getInt("mqtt.max_inflight"), 1, 65535, "1..65535");
    int awaitingRel = (int) range(c, "mqtt.max_awaiting_rel", c.getInt("mqtt.max_awaiting_rel"), 0, Integer.MAX_VALUE,
        ">= 0 (0 = unbounded)");
    double multiplier;
    try {
      multiplier = Double.parseDouble(c.getString("mqtt.keepalive_multiplier"));
    } catch (NumberFormatException e) {
      throw c.invalid("mqtt.keepalive_multiplier", ">= 1.0");
    }
    if (!(multiplier >= 1.0)) {
      throw c.invalid("mqtt.keepalive_multiplier", ">= 1.0");
    }
    Duration maxExpiry = c.getDuration("mqtt.max_session_expiry");
    Duration idle = c.getDuration("mqtt.idle_timeout");
    if (maxExpiry.isNegative()) {
      throw c.invalid("mqtt.max_session_expiry", "a duration >= 0");
    }
    if (idle.isNegative()) {
      throw c.invalid("mqtt.idle_timeout", "a duration >= 0");
    }
    return new MqttListenerLimits(maxPacketSize, maxClientId, levels, qos, alias,
        c.getBoolean("mqtt.retain_available"), c.getBoolean("mqtt.wildcard_subscription"),
        c.getBoolean("mqtt.shared_subscription"), c.getBoolean("mqtt.subscription_identifiers"),
        inflight, awaitingRel, maxExpiry, multiplier, idle);
  }

  /**
   * {@code mqtt.io_threads}: the event loops every MQTT listener (tcp, ssl, ws, wss) shares; 0 = one per two
   * processors the JVM sees, at least one. Fewer loops than Netty's default (two per processor) wake fewer threads
   * per message and put a publisher on its subscriber's loop more often (issue #18: the fan-in tail at a fixed
   * rate); the other half of the processors is left to the session pool, the store writer and the other adapters.
   */
  public static int ioThreads(AdapterConfig c) {
    int n = (int) range(c, "mqtt.io_threads", c.getInt("mqtt.io_threads"), 0, 1024, "0..1024 (0 = one per two processors)");
    return n == 0 ? defaultIoThreads(Runtime.getRuntime().availableProcessors()) : n;
  }

  /** {@code mqtt.io_threads = 0}: one event loop per two processors, at least one. */
  static int defaultIoThreads(int processors) {
    return Math.max(1, processors / 2);
  }

  private static long range(AdapterConfig c, String key, long v, long min, long max, String expected) {
    if (v < min || v > max) {
      throw c.invalid(key, expected);
    }
    return v;
  }

  /** The enabled listeners, by type then name in config order; ssl/wss certificate files must exist. */
  public static List<MqttListenerConfig> listeners(AdapterConfig c) {
    List<MqttListenerConfig> out = new ArrayList<>();
    if (!c.has("listeners")) {
      return out;
    }
    AdapterConfig all = c.getConfig("listeners");
    for (String type : all.keys()) {
      if (!MqttListenerConfig.isType(type)) {
        throw all.invalid(type, "a listener type: tcp, ssl, ws or wss");
      }
      for (Map.Entry<String, AdapterConfig> e : c.enabledListeners(type).entrySet()) {
        AdapterConfig l = e.getValue();
        boolean secure = type.equals("ssl") || type.equals("wss");
        int maxConnections = l.has("max_connections") ? l.getInt("max_connections") : 1_024_000;
        if (maxConnections < 0) {
          throw l.invalid("max_connections", ">= 0");
        }
        out.add(new MqttListenerConfig(type, e.getKey(), l.getAddress("bind"),
            l.has("mountpoint") ? l.getString("mountpoint") : "",
            secure ? tls(l) : null,
            l.has("websocket.mqtt_path") ? l.getString("websocket.mqtt_path") : "/mqtt",
            maxConnections, rate(l, "max_conn_rate"), rate(l, "messages_rate"), rate(l, "bytes_rate")));
      }
    }
    return out;
  }

  /** A listener's rate in EMQX's syntax ("1000/s", "1MB/s", infinity); infinity when the key is absent. */
  static Rate rate(AdapterConfig l, String key) {
    if (!l.has(key)) {
      return Rate.INFINITY;
    }
    try {
      return Rate.parse(l.getString(key));
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw l.invalid(key, "a rate such as \"1000/s\", \"1MB/s\" or infinity");
    }
  }

  private static TlsOptions tls(AdapterConfig listener) {
    if (!listener.has("ssl_options")) {
      return new TlsOptions("", "", "", false, false, null, null);
    }
    AdapterConfig s = listener.getConfig("ssl_options");
    String verify = s.has("verify") ? s.getString("verify") : "verify_none";
    if (!verify.equals("verify_none") && !verify.equals("verify_peer")) {
      throw s.invalid("verify", "verify_none or verify_peer");
    }
    List<String> versions;
    List<String> ciphers;
    try {
      versions = TlsVersions.versions(s.has("versions") ? s.getStringList("versions") : List.of());
    } catch (IllegalArgumentException e) {
      throw s.invalid("versions", "TLS versions tlsv1.3 and/or tlsv1.2 (" + e.getMessage() + ")");
    }
    try {
      ciphers = TlsVersions.ciphers(s.has("ciphers") ? s.getStringList("ciphers") : List.of());
    } catch (IllegalArgumentException e) {
      throw s.invalid("ciphers", "cipher suites this JVM supports (" + e.getMessage() + ")");
    }
    TlsOptions t = new TlsOptions(str(s, "certfile"), str(s, "keyfile"), str(s, "cacertfile"), verify.equals("verify_peer"),
        s.has("fail_if_no_peer_cert") && s.getBoolean("fail_if_no_peer_cert"), versions, ciphers);
    if (!t.selfSigned()) {
      requireFile(s, "certfile", t.certFile());
      requireFile(s, "keyfile", t.keyFile());
    }
    if (!t.caCertFile().isEmpty()) {
      requireFile(s, "cacertfile", t.caCertFile());
    }
    return t;
  }

  private static String str(AdapterConfig c, String key) {
    return c.has(key) ? c.getString(key) : "";
  }

  private static void requireFile(AdapterConfig c, String key, String path) {
    if (!new File(path).isFile()) {
      throw c.invalid(key, "a readable PEM file");
    }
  }
}
