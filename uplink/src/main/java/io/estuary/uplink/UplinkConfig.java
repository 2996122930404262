package io.estuary.uplink;

import io.estuary.api.AdapterConfig;
import io.estuary.api.QueuePolicy;
import io.estuary.uplink.client.Backoff;
import io.estuary.uplink.client.LinkOptions;
import io.estuary.uplink.client.TlsOptions;
import io.estuary.uplink.mapping.ForwardRule;
import io.estuary.uplink.mapping.SubscriptionRule;
import io.estuary.uplink.mapping.TopicTemplate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One named uplink ({@code uplink.<name>}), bound and validated. Keys follow EMQX's MQTT bridge where
 * it has one. A key missing from a block takes the default below, which is also what the shipped
 * example {@code uplink.cloud} in reference.conf spells out.
 *
 * @param clientId the upstream client id, {@code ${node}} already replaced
 * @param maxInflight forwards in flight upstream, and the local session's receive maximum
 * @param maxMessages the store-and-forward buffer: the local session's queue cap in messages
 * @param maxBytes the buffer's cap in bytes (payload + topic of each message), 0 = none
 * @param maxAge buffered messages older than this are dropped, zero = no age cap
 * @param overflow what a full buffer does: drop the oldest, drop the newest, or hold back publishers
 * @param catchupRate messages per second while draining a backlog after a reconnect; 0 = unlimited
 * @param statusInterval how often the status is republished while a backlog exists
 */
public record UplinkConfig(
    String name,
    String host,
    int port,
    LinkOptions.MqttVersion protoVer,
    String clientId,
    boolean cleanStart,
    Duration sessionExpiry,
    Duration keepalive,
    String username,
    String password,
    TlsOptions ssl,
    List<ForwardRule> forwards,
    List<SubscriptionRule> subscriptions,
    int maxInflight,
    int maxMessages,
    long maxBytes,
    Duration maxAge,
    QueuePolicy.Overflow overflow,
    Backoff reconnect,
    double catchupRate,
    Duration statusInterval) {

  static final String DEFAULT_CLIENTID = "estuary-${node}";
  static final boolean DEFAULT_CLEAN_START = false;
  static final Duration DEFAULT_SESSION_EXPIRY = Duration.ofHours(2);
  static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(60);
  static final int DEFAULT_MAX_INFLIGHT = 32;
  static final int DEFAULT_MAX_MESSAGES = 1_000_000;
  static final long DEFAULT_MAX_BYTES = 256L * 1024 * 1024;
  static final Duration DEFAULT_RECONNECT_MIN = Duration.ofSeconds(1);
  static final Duration DEFAULT_RECONNECT_MAX = Duration.ofMinutes(2);
  static final Duration DEFAULT_STATUS_INTERVAL = Duration.ofSeconds(5);

  public UplinkConfig {
    Objects.requireNonNull(name, "name");
    forwards = List.copyOf(forwards);
    subscriptions = List.copyOf(subscriptions);
  }

  /** The enabled uplinks of the {@code uplink} block, in key order. */
  public static List<UplinkConfig> parseAll(AdapterConfig block, String node) {
    List<UplinkConfig> out = new ArrayList<>();
    for (String name : block.keys().stream().sorted().toList()) {
      if (name.equals("enable")) {
        continue; // uplink.enable = false switches the whole module off (handled by the gateway)
      }
      AdapterConfig c = block.getConfig(name);
      if (c.has("enable") && !c.getBoolean("enable")) {
        continue;
      }
      out.add(parse(name, c, node));
    }
    return out;
  }

  /** Binds one {@code uplink.<name>} block; failures name the key, the value and what was expected. */
  public static UplinkConfig parse(String name, AdapterConfig c, String node) {
    if (!c.has("server")) {
      throw c.invalid("server", "host:port of the upstream broker");
    }
    TlsOptions ssl = parseSsl(c);
    String server = c.getString("server");
    String host;
    int port;
    try {
      int colon = server.lastIndexOf(':');
      boolean hasPort = colon > 0 && server.indexOf(']', colon) < 0 && (server.startsWith("[") || server.indexOf(':') == colon);
      host = hasPort ? server.substring(0, colon) : server;
      port = hasPort ? Integer.parseInt(server.substring(colon + 1)) : (ssl.enable() ? 8883 : 1883);
      host = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
      if (host.isEmpty() || port < 1 || port > 65535) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      throw c.invalid("server", "host:port with a port 1..65535");
    }
    String ver = str(c, "proto_ver", "v5").toLowerCase(Locale.ROOT);
    LinkOptions.MqttVersion version = switch (ver) {
      case "v5" -> LinkOptions.MqttVersion.V5;
      case "v4" -> LinkOptions.MqttVersion.V4;
      default -> throw c.invalid("proto_ver", "v4 (MQTT 3.1.1) or v5");
    };
    String clientId = str(c, "clientid", DEFAULT_CLIENTID).replace("${node}", node);
    if (clientId.isEmpty()) {
      throw c.invalid("clientid", "a non-empty client id");
    }
    int maxInflight = c.has("max_inflight") ? c.getInt("max_inflight") : DEFAULT_MAX_INFLIGHT;
    if (maxInflight < 1 || maxInflight > 65535) {
      throw c.invalid("max_inflight", "1..65535");
    }
    AdapterConfig buffer = c.has("buffer") ? c.getConfig("buffer") : null;
    int maxMessages = buffer != null && buffer.has("max_messages") ? buffer.getInt("max_messages") : DEFAULT_MAX_MESSAGES;
    if (maxMessages < 1) {
      throw buffer.invalid("max_messages", "a positive number of messages");
    }
    long maxBytes = buffer != null && buffer.has("max_bytes") ? buffer.getBytes("max_bytes") : DEFAULT_MAX_BYTES;
    if (maxBytes < 0) {
      throw buffer.invalid("max_bytes", "a size >= 0 (0 = no byte cap)");
    }
    Duration maxAge = buffer != null && buffer.has("max_age") ? buffer.getDuration("max_age") : Duration.ZERO;
    if (maxAge.isNegative()) {
      throw buffer.invalid("max_age", "a duration >= 0 (0 = no age cap)");
    }
    String overflowText = buffer != null && buffer.has("overflow") ? buffer.getString("overflow") : "drop_oldest";
    QueuePolicy.Overflow overflow = switch (overflowText) {
      case "drop_oldest" -> QueuePolicy.Overflow.DROP_OLDEST;
      case "drop_newest" -> QueuePolicy.Overflow.DROP_NEWEST;
      case "backpressure" -> QueuePolicy.Overflow.BACKPRESSURE;
      default -> throw buffer.invalid("overflow", "drop_oldest, drop_newest or backpressure");
    };
    AdapterConfig rc = c.has("reconnect") ? c.getConfig("reconnect") : null;
    Duration min = rc != null && rc.has("min") ? rc.getDuration("min") : DEFAULT_RECONNECT_MIN;
    Duration max = rc != null && rc.has("max") ? rc.getDuration("max") : DEFAULT_RECONNECT_MAX;
    Backoff backoff;
    try {
      backoff = new Backoff(min, max);
    } catch (IllegalArgumentException e) {
      throw rc.invalid("max", "reconnect.min > 0 and reconnect.max >= reconnect.min");
    }
    double rate = c.has("catchup_rate") ? c.getLong("catchup_rate") : 0;
    if (rate < 0) {
      throw c.invalid("catchup_rate", "messages per second >= 0 (0 = unlimited)");
    }
    Duration expiry = dur(c, "session_expiry", DEFAULT_SESSION_EXPIRY);
    Duration keepalive = dur(c, "keepalive", DEFAULT_KEEPALIVE);
    Duration statusInterval = dur(c, "status_interval", DEFAULT_STATUS_INTERVAL);
    if (statusInterval.toMillis() < 10) {
      throw c.invalid("status_interval", "a duration of at least 10ms");
    }
    if (keepalive.toSeconds() > 65535) {
      throw c.invalid("keepalive", "at most 65535s");
    }
    return new UplinkConfig(name, host, port, version, clientId,
        c.has("clean_start") ? c.getBoolean("clean_start") : DEFAULT_CLEAN_START,
        expiry, keepalive, str(c, "username", ""), str(c, "password", ""), ssl,
        parseForwards(c), parseSubscriptions(c), maxInflight, maxMessages, maxBytes, maxAge, overflow, backoff, rate,
        statusInterval);
  }

  private static TlsOptions parseSsl(AdapterConfig c) {
    String path = c.path() + ".ssl";
    if (!c.has("ssl")) {
      return TlsOptions.disabled(path);
    }
    AdapterConfig s = c.getConfig("ssl");
    try {
      return new TlsOptions(path, s.has("enable") && s.getBoolean("enable"), str(s, "cacertfile", ""),
          str(s, "certfile", ""), str(s, "keyfile", ""), !s.has("verify_hostname") || s.getBoolean("verify_hostname"));
    } catch (IllegalArgumentException e) {
      throw s.invalid("keyfile", "certfile and keyfile both set or both empty");
    }
  }

  private static List<ForwardRule> parseForwards(AdapterConfig c) {
    List<ForwardRule> out = new ArrayList<>();
    if (!c.has("forwards")) {
      return out;
    }
    for (AdapterConfig f : c.getConfigList("forwards")) {
      if (!f.has("filter")) {
        throw f.invalid("filter", "a local topic filter");
      }
      TopicTemplate remote = template(f, "remote_topic", "${topic}", true);
      Integer qos = qosOrKeep(f);
      String retain = str(f, "retain", "keep");
      ForwardRule.RetainMode mode = switch (retain) {
        case "keep" -> ForwardRule.RetainMode.KEEP;
        case "clear" -> ForwardRule.RetainMode.CLEAR;
        default -> throw f.invalid("retain", "keep or clear");
      };
      try {
        out.add(new ForwardRule(f.getString("filter"),
            f.has("exclude") ? f.getStringList("exclude") : List.of(), remote, qos, mode));
      } catch (IllegalArgumentException e) {
        throw f.invalid("filter", "valid topic filters in filter and exclude: " + e.getMessage());
      }
    }
    return out;
  }

  private static List<SubscriptionRule> parseSubscriptions(AdapterConfig c) {
    List<SubscriptionRule> out = new ArrayList<>();
    if (!c.has("subscriptions")) {
      return out;
    }
    for (AdapterConfig s : c.getConfigList("subscriptions")) {
      if (!s.has("remote_filter")) {
        throw s.invalid("remote_filter", "an upstream topic filter");
      }
      int qos = s.has("qos") ? s.getInt("qos") : 1;
      if (qos < 0 || qos > 2) {
        throw s.invalid("qos", "0, 1 or 2");
      }
      try {
        out.add(new SubscriptionRule(s.getString("remote_filter"), template(s, "local_topic", "${topic}", false), qos));
      } catch (IllegalArgumentException e) {
        throw s.invalid("remote_filter", "a valid topic filter: " + e.getMessage());
      }
    }
    return out;
  }

  private static Integer qosOrKeep(AdapterConfig f) {
    if (!f.has("qos")) {
      return 1;
    }
    String q = f.getString("qos");
    if (q.equals("${qos}")) {
      return null;
    }
    return switch (q) {
      case "0" -> 0;
      case "1" -> 1;
      case "2" -> 2;
      default -> throw f.invalid("qos", "0, 1, 2 or \"${qos}\" (keep the message's QoS)");
    };
  }

  private static TopicTemplate template(AdapterConfig c, String key, String def, boolean withClientId) {
    try {
      return TopicTemplate.parse(str(c, key, def), withClientId);
    } catch (IllegalArgumentException e) {
      throw c.invalid(key, "a topic template using ${topic}, ${node}" + (withClientId ? ", ${clientid}" : "") + ": "
          + e.getMessage());
    }
  }

  private static String str(AdapterConfig c, String key, String def) {
    return c.has(key) ? c.getString(key) : def;
  }

  private static Duration dur(AdapterConfig c, String key, Duration def) {
    return c.has(key) ? c.getDuration(key) : def;
  }

  /** The connection settings for the client package. */
  LinkOptions linkOptions() {
    return new LinkOptions(host, port, protoVer, clientId, cleanStart, sessionExpiry, keepalive, username, password,
        ssl, reconnect, maxInflight);
  }

  /** Never prints the password. */
  @Override
  public String toString() {
    return "UplinkConfig[name=" + name + ", host=" + host + ", port=" + port + ", protoVer=" + protoVer
        + ", clientId=" + clientId + ", cleanStart=" + cleanStart + ", sessionExpiry=" + sessionExpiry
        + ", keepalive=" + keepalive + ", username=" + username + ", password="
        + (password == null || password.isEmpty() ? "" : "***") + ", ssl=" + ssl + ", forwards=" + forwards
        + ", subscriptions=" + subscriptions + ", maxInflight=" + maxInflight + ", maxMessages=" + maxMessages
        + ", maxBytes=" + maxBytes + ", maxAge=" + maxAge + ", overflow=" + overflow + ", reconnect=" + reconnect
        + ", catchupRate=" + catchupRate + ", statusInterval=" + statusInterval + "]";
  }
}
