package io.estuary.mqttsn;

import io.estuary.api.AdapterConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code gateway.mqttsn} block, validated. Option names follow EMQX's MQTT-SN gateway where it has
 * one; defaults live in this module's {@code reference.conf} and are repeated in {@link #defaults()}.
 *
 * @param gatewayId the GwId in ADVERTISE and GWINFO (MQTT-SN 1.2 §5.4.2), 0..255
 * @param broadcast send ADVERTISE every {@code advertiseInterval} to {@code advertiseTarget}
 * @param advertiseTarget broadcast, multicast or unicast address for ADVERTISE
 * @param enableQos3 accept QoS -1 PUBLISH from clients without a connection
 * @param predefined predefined topic ids (known to clients and gateway in advance)
 * @param mountpoint prefix put on every topic of every client; {@code ${clientid}} is replaced
 * @param udpListeners listener name → bind address
 * @param keepaliveMultiplier a client is lost after {@code keepalive × this} without a datagram
 * @param idleTimeout how long a client may take from its first datagram to CONNACK
 * @param retryInterval resend unacknowledged REGISTER/PUBLISH/PUBREL after this (Tretry, §6.13)
 * @param maxRetries give up (and drop the client) after this many resends (Nretry)
 * @param maxInflight QoS 1/2 deliveries in flight to one client (the session's receive maximum)
 * @param sessionExpiry how long a {@code clean_session = false} session outlives its connection
 * @param qosNeg1Retain whether a connectionless QoS -1 PUBLISH may set a retained message ({@code
 *     qos_neg1_retain}); off by default: anyone on the LAN can send one, nothing authenticates it
 * @param wakeupFromNewAddress listeners ({@code udp:<name>}, {@code dtls:<name>}) where a sleeping client
 *     may wake up (PINGREQ with its client id) or reconnect from another address or port
 * @param limits the overload limits (issue #13): caps, rates, budgets
 */
public record MqttSnConfig(
    int gatewayId,
    boolean broadcast,
    Duration advertiseInterval,
    InetSocketAddress advertiseTarget,
    boolean enableQos3,
    List<PredefinedTopic> predefined,
    String mountpoint,
    Map<String, InetSocketAddress> udpListeners,
    double keepaliveMultiplier,
    Duration idleTimeout,
    Duration retryInterval,
    int maxRetries,
    int maxInflight,
    Duration sessionExpiry,
    boolean qosNeg1Retain,
    Set<String> wakeupFromNewAddress,
    MqttSnLimits limits) {

  /** One {@code predefined} entry. */
  public record PredefinedTopic(int id, String topic) {
    public PredefinedTopic {
      Objects.requireNonNull(topic, "topic");
      if (id < 1 || id > 0xFFFE) {
        throw new IllegalArgumentException("predefined topic id must be 1..65534, was " + id);
      }
      if (topic.isEmpty() || topic.contains("+") || topic.contains("#")) {
        throw new IllegalArgumentException("predefined topic must be a non-empty name without wildcards, was '" + topic + "'");
      }
    }
  }

  public MqttSnConfig {
    if (gatewayId < 0 || gatewayId > 255) {
      throw new IllegalArgumentException("gateway_id must be 0..255, was " + gatewayId);
    }
    positive(advertiseInterval, "advertise_interval");
    Objects.requireNonNull(advertiseTarget, "advertise_target");
    predefined = List.copyOf(predefined);
    if (predefined.stream().map(PredefinedTopic::id).distinct().count() != predefined.size()) {
      throw new IllegalArgumentException("predefined topic ids must be unique");
    }
    Objects.requireNonNull(mountpoint, "mountpoint");
    udpListeners = Map.copyOf(udpListeners);
    if (keepaliveMultiplier < 1.0) {
      throw new IllegalArgumentException("keepalive_multiplier must be >= 1.0, was " + keepaliveMultiplier);
    }
    positive(idleTimeout, "idle_timeout");
    positive(retryInterval, "retry_interval");
    if (maxRetries < 0) {
      throw new IllegalArgumentException("max_retries must be >= 0, was " + maxRetries);
    }
    if (maxInflight < 1 || maxInflight > 65535) {
      throw new IllegalArgumentException("max_inflight must be 1..65535, was " + maxInflight);
    }
    Objects.requireNonNull(sessionExpiry, "session_expiry_interval");
    wakeupFromNewAddress = Set.copyOf(wakeupFromNewAddress);
    Objects.requireNonNull(limits, "limits");
  }

  /** The defaults of reference.conf, with no listener (tests add what they need). */
  public static MqttSnConfig defaults() {
    return new MqttSnConfig(1, false, Duration.ofMinutes(15), new InetSocketAddress("255.255.255.255", 1884), true,
        List.of(), "", Map.of(), 1.5, Duration.ofSeconds(30), Duration.ofSeconds(10), 4, 32, Duration.ofHours(2), false, Set.of(),
        MqttSnLimits.defaults());
  }

  public MqttSnConfig withPredefined(List<PredefinedTopic> topics) {
    return new MqttSnConfig(gatewayId, broadcast, advertiseInterval, advertiseTarget, enableQos3, topics, mountpoint,
        udpListeners, keepaliveMultiplier, idleTimeout, retryInterval, maxRetries, maxInflight, sessionExpiry,
        qosNeg1Retain, wakeupFromNewAddress, limits);
  }

  public MqttSnConfig withEnableQos3(boolean enable) {
    return new MqttSnConfig(gatewayId, broadcast, advertiseInterval, advertiseTarget, enable, predefined, mountpoint,
        udpListeners, keepaliveMultiplier, idleTimeout, retryInterval, maxRetries, maxInflight, sessionExpiry,
        qosNeg1Retain, wakeupFromNewAddress, limits);
  }

  public MqttSnConfig withMountpoint(String mp) {
    return new MqttSnConfig(gatewayId, broadcast, advertiseInterval, advertiseTarget, enableQos3, predefined, mp,
        udpListeners, keepaliveMultiplier, idleTimeout, retryInterval, maxRetries, maxInflight, sessionExpiry,
        qosNeg1Retain, wakeupFromNewAddress, limits);
  }

  public MqttSnConfig withQosNeg1Retain(boolean allow) {
    return new MqttSnConfig(gatewayId, broadcast, advertiseInterval, advertiseTarget, enableQos3, predefined, mountpoint,
        udpListeners, keepaliveMultiplier, idleTimeout, retryInterval, maxRetries, maxInflight, sessionExpiry,
        allow, wakeupFromNewAddress, limits);
  }

  public MqttSnConfig withWakeupFromNewAddress(Set<String> listeners) {
    return new MqttSnConfig(gatewayId, broadcast, advertiseInterval, advertiseTarget, enableQos3, predefined, mountpoint,
        udpListeners, keepaliveMultiplier, idleTimeout, retryInterval, maxRetries, maxInflight, sessionExpiry,
        qosNeg1Retain, listeners, limits);
  }

  public MqttSnConfig withLimits(MqttSnLimits l) {
    return new MqttSnConfig(gatewayId, broadcast, advertiseInterval, advertiseTarget, enableQos3, predefined, mountpoint,
        udpListeners, keepaliveMultiplier, idleTimeout, retryInterval, maxRetries, maxInflight, sessionExpiry,
        qosNeg1Retain, wakeupFromNewAddress, l);
  }

  /** The topic of predefined id {@code id}, or null. */
  public String predefinedTopic(int id) {
    for (PredefinedTopic p : predefined) {
      if (p.id() == id) {
        return p.topic();
      }
    }
    return null;
  }

  /** The predefined id of {@code topic}, or -1. */
  public int predefinedId(String topic) {
    for (PredefinedTopic p : predefined) {
      if (p.topic().equals(topic)) {
        return p.id();
      }
    }
    return -1;
  }

  /** Binds the {@code gateway.mqttsn} block; every key falls back to the documented default. */
  public static MqttSnConfig from(AdapterConfig c) {
    MqttSnConfig d = defaults();
    List<PredefinedTopic> predefined = new java.util.ArrayList<>();
    if (c.has("predefined")) {
      for (AdapterConfig p : c.getConfigList("predefined")) {
        try {
          predefined.add(new PredefinedTopic(p.getInt("id"), p.getString("topic")));
        } catch (IllegalArgumentException e) {
          throw c.invalid("predefined", "entries {id = 1..65534, topic = name without wildcards}: " + e.getMessage());
        }
      }
    }
    Map<String, InetSocketAddress> udp = new LinkedHashMap<>();
    Set<String> wakeup = new HashSet<>();
    if (c.has("listeners.udp")) {
      AdapterConfig listeners = c.getConfig("listeners.udp");
      for (String name : listeners.keys()) {
        AdapterConfig l = listeners.getConfig(name);
        if (!l.has("enable") || l.getBoolean("enable")) {
          udp.put(name, address(l, "bind", l.getString("bind"), "0.0.0.0"));
          if (l.has("wakeup_from_new_address") && l.getBoolean("wakeup_from_new_address")) {
            wakeup.add("udp:" + name);
          }
        }
      }
    }
    if (c.has("listeners.dtls")) {
      AdapterConfig listeners = c.getConfig("listeners.dtls");
      for (String name : listeners.keys()) {
        AdapterConfig l = listeners.getConfig(name);
        if (l.has("wakeup_from_new_address") && l.getBoolean("wakeup_from_new_address")) {
          wakeup.add("dtls:" + name);
        }
      }
    }
    try {
      return new MqttSnConfig(
          c.has("gateway_id") ? c.getInt("gateway_id") : d.gatewayId(),
          c.has("broadcast") ? c.getBoolean("broadcast") : d.broadcast(),
          c.has("advertise_interval") ? c.getDuration("advertise_interval") : d.advertiseInterval(),
          c.has("advertise_target") ? address(c, "advertise_target", c.getString("advertise_target"), "255.255.255.255")
              : d.advertiseTarget(),
          c.has("enable_qos3") ? c.getBoolean("enable_qos3") : d.enableQos3(),
          predefined,
          c.has("mountpoint") ? c.getString("mountpoint") : d.mountpoint(),
          udp,
          c.has("keepalive_multiplier") ? number(c, "keepalive_multiplier") : d.keepaliveMultiplier(),
          c.has("idle_timeout") ? c.getDuration("idle_timeout") : d.idleTimeout(),
          c.has("retry_interval") ? c.getDuration("retry_interval") : d.retryInterval(),
          c.has("max_retries") ? c.getInt("max_retries") : d.maxRetries(),
          c.has("max_inflight") ? c.getInt("max_inflight") : d.maxInflight(),
          c.has("session_expiry_interval") ? c.getDuration("session_expiry_interval") : d.sessionExpiry(),
          c.has("qos_neg1_retain") ? c.getBoolean("qos_neg1_retain") : d.qosNeg1Retain(),
          wakeup,
          MqttSnLimits.from(c));
    } catch (IllegalArgumentException e) {
      // the record's messages start with the key name: prefix the block's path
      String msg = String.valueOf(e.getMessage());
      throw msg.startsWith(c.path()) ? e : new IllegalArgumentException(c.path() + "." + msg, e);
    }
  }

  /** "host:port" or a bare port (then on {@code defaultHost}); fails naming {@code key}. */
  public static InetSocketAddress address(AdapterConfig c, String key, String value, String defaultHost) {
    try {
      String v = value.trim();
      int colon = v.lastIndexOf(':');
      if (colon < 0) {
        return new InetSocketAddress(defaultHost, Integer.parseInt(v));
      }
      String host = v.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      return new InetSocketAddress(host, Integer.parseInt(v.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw c.invalid(key, "\"host:port\" or a port number");
    }
  }

  private static double number(AdapterConfig c, String key) {
    try {
      return Double.parseDouble(c.getString(key));
    } catch (NumberFormatException e) {
      throw c.invalid(key, "a number");
    }
  }

  private static void positive(Duration d, String key) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(key + " must be a positive duration, was " + d);
    }
  }
}
