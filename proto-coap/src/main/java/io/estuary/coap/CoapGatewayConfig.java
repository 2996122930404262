package io.estuary.coap;

import io.estuary.cf.CfSettings;
import io.estuary.cf.DtlsSettings;
import io.estuary.api.limits.Rate;
import io.estuary.cf.ListenerLimits;
import io.estuary.cf.KnownSources;
import io.estuary.cf.UnknownSourceBudget;
import io.estuary.coap.dtls.DtlsListener;
import io.estuary.coap.mapping.NotifyType;
import io.estuary.coap.mapping.QosPolicy;
import io.estuary.api.AdapterConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@code gateway.coap}, EMQX names where they exist.
 *
 * @param connectionRequired clients must {@code POST /mqtt/connection} first (EMQX connection mode)
 * @param heartbeat the longest a client may stay silent; its session closes after 1.5 × heartbeat
 * @param notifyType NON, CON, or by QoS
 * @param publishQos QoS of publishes without {@code qos=}
 * @param subscribeQos QoS of observes without {@code qos=}
 * @param mountpoint prefix added to every topic
 * @param maxBodySize largest block-wise (Block1) request body; bigger gets 4.13
 * @param maxPendingNotifications per client: notifications queued while earlier ones are in flight
 * @param udpListeners listener name → bind address
 * @param dtlsListeners listener name → bind address and DTLS credentials (CoAPs)
 * @param californium Californium tuning (threads, deduplicator, timers)
 * @param limits listener name ({@code udp:default}, {@code dtls:default}) → its overload limits
 * @param maxTopicLength longest topic (after percent-decoding, before the mountpoint); longer gets 4.00
 * @param maxTopicLevels most topic levels; more gets 4.00
 * @param maxObservations observe relations one device may hold; more gets 5.03
 * @param maxUnansweredNotifications NON notifications sent to a device that has not been heard from since; the
 *     next one goes as CON, and if that is never acknowledged the relation ends (RFC 7641 §4.5)
 * @param halfOpenTimeout how long a connectionless device opened by an observe may stay unproven (its address never
 *     answered a ping or acknowledged a notification) before it is closed; zero = off
 * @param maxHalfOpen unproven connectionless observer devices at once, whole adapter; an observe that would open one
 *     more gets 5.03 (a flood of spoofed observe GETs holds at most this many devices, relations and pings)
 * @param unknownDatagramRates plain UDP listener name ({@code udp:default}) → datagrams a second it hands to
 *     Californium from addresses it does not know ({@code unknown_datagram_rate})
 * @param knownSourceRule what makes an address known for 1.5 × heartbeat ({@code known_source_rule})
 */
public record CoapGatewayConfig(
    boolean connectionRequired,
    Duration heartbeat,
    NotifyType notifyType,
    QosPolicy publishQos,
    QosPolicy subscribeQos,
    String mountpoint,
    int maxBodySize,
    int maxPendingNotifications,
    Map<String, InetSocketAddress> udpListeners,
    Map<String, DtlsListener> dtlsListeners,
    CfSettings californium,
    Map<String, ListenerLimits> limits,
    int maxTopicLength,
    int maxTopicLevels,
    int maxObservations,
    int maxUnansweredNotifications,
    Duration halfOpenTimeout,
    int maxHalfOpen,
    Map<String, Rate> unknownDatagramRates,
    KnownSources.Rule knownSourceRule) {


  public CoapGatewayConfig {
    Objects.requireNonNull(notifyType, "notifyType");
    Objects.requireNonNull(publishQos, "publishQos");
    Objects.requireNonNull(subscribeQos, "subscribeQos");
    mountpoint = mountpoint == null ? "" : mountpoint;
    if (heartbeat == null || heartbeat.isNegative() || heartbeat.isZero()) {
      throw new IllegalArgumentException("heartbeat must be a positive duration, was " + heartbeat);
    }
    if (maxBodySize < 16) {
      throw new IllegalArgumentException("max_body_size must be at least 16 bytes, was " + maxBodySize);
    }
    if (maxPendingNotifications < 1) {
      throw new IllegalArgumentException("max_pending_notifications must be positive, was " + maxPendingNotifications);
    }
    udpListeners = Map.copyOf(udpListeners);
    dtlsListeners = Map.copyOf(dtlsListeners);
    Objects.requireNonNull(californium, "californium");
    limits = Map.copyOf(limits);
    unknownDatagramRates = Map.copyOf(unknownDatagramRates);
    Objects.requireNonNull(knownSourceRule, "knownSourceRule");
    if (maxTopicLength < 1 || maxTopicLength > 65535) {
      throw new IllegalArgumentException("max_topic_length must be 1..65535, was " + maxTopicLength);
    }
    if (maxTopicLevels < 1) {
      throw new IllegalArgumentException("max_topic_levels must be positive, was " + maxTopicLevels);
    }
    if (maxObservations < 1) {
      throw new IllegalArgumentException("max_observations must be positive, was " + maxObservations);
    }
    if (maxUnansweredNotifications < 1) {
      throw new IllegalArgumentException("max_unanswered_notifications must be positive, was " + maxUnansweredNotifications);
    }
    if (halfOpenTimeout == null || halfOpenTimeout.isNegative()) {
      throw new IllegalArgumentException("half_open_timeout must be zero or a positive duration, was " + halfOpenTimeout);
    }
  }

  /** The limits of listener {@code name} ({@code udp:default}); the defaults for an unknown name. */
  public ListenerLimits limits(String name) {
    return limits.getOrDefault(name, ListenerLimits.DEFAULTS);
  }

  /** {@code unknown_datagram_rate} of plain UDP listener {@code name} ({@code udp:default}). */
  public Rate unknownDatagramRate(String name) {
    return unknownDatagramRates.getOrDefault(name, UnknownSourceBudget.DEFAULT_RATE);
  }

  /** How long an address stays known after its last proof: as long as a silent device keeps its session. */
  public Duration knownSourceTtl() {
    return heartbeat.multipliedBy(3).dividedBy(2);
  }

  /** Reads and validates {@code gateway.coap}; failures name the key, the value and what was expected. */
  public static CoapGatewayConfig from(AdapterConfig c) {
    NotifyType notify = NotifyType.parse(c.getString("notify_type"));
    if (notify == null) {
      throw c.invalid("notify_type", "one of non, con, qos");
    }
    QosPolicy pub = QosPolicy.parse(c.getString("publish_qos"));
    if (pub == null) {
      throw c.invalid("publish_qos", "one of coap, qos0, qos1, qos2");
    }
    QosPolicy sub = QosPolicy.parse(c.getString("subscribe_qos"));
    if (sub == null) {
      throw c.invalid("subscribe_qos", "one of coap, qos0, qos1, qos2");
    }
    long maxBody = c.getBytes("max_body_size");
    if (maxBody < 16 || maxBody > Integer.MAX_VALUE) {
      throw c.invalid("max_body_size", "a size of 16 bytes .. 2 GB");
    }
    int pending = c.getInt("max_pending_notifications");
    if (pending < 1) {
      throw c.invalid("max_pending_notifications", "a positive number");
    }
    Duration heartbeat = c.getDuration("heartbeat");
    if (heartbeat.isZero() || heartbeat.isNegative()) {
      throw c.invalid("heartbeat", "a positive duration");
    }
    Map<String, InetSocketAddress> udp = new LinkedHashMap<>();
    Map<String, ListenerLimits> limits = new LinkedHashMap<>();
    Map<String, Rate> unknownRates = new LinkedHashMap<>();
    c.enabledListeners("udp").forEach((name, l) -> {
      udp.put(name, l.getAddress("bind"));
      limits.put("udp:" + name, ListenerLimits.from(l));
      UnknownSourceBudget.readRate(l, "udp:" + name, unknownRates);
    });
    Map<String, DtlsListener> dtls = new LinkedHashMap<>();
    c.enabledListeners("dtls").forEach((name, l) -> {
      if (!l.has("dtls_options")) {
        throw l.invalid("dtls_options", "a block with psk / psk_file or certfile + keyfile");
      }
      dtls.put(name, new DtlsListener(l.getAddress("bind"), DtlsSettings.from(l.getConfig("dtls_options"))));
      limits.put("dtls:" + name, ListenerLimits.from(l));
    });
    CfSettings cf = c.has("californium")
        ? CfSettings.from(c.getConfig("californium"), (int) maxBody)
        : CfSettings.DEFAULTS.withMaxBodySize((int) maxBody);
    return new CoapGatewayConfig(c.getBoolean("connection_required"), heartbeat, notify, pub, sub,
        c.has("mountpoint") ? c.getString("mountpoint") : "", (int) maxBody, pending, udp, dtls, cf, limits,
        positive(c, "max_topic_length"), positive(c, "max_topic_levels"), positive(c, "max_observations"),
        positive(c, "max_unanswered_notifications"), halfOpenTimeout(c), positive(c, "max_half_open"), unknownRates,
        KnownSources.Rule.read(c));
  }

  private static Duration halfOpenTimeout(AdapterConfig c) {
    Duration d = c.getDuration("half_open_timeout");
    if (d.isNegative()) {
      throw c.invalid("half_open_timeout", "a duration, 0 = off");
    }
    return d;
  }

  private static int positive(AdapterConfig c, String key) {
    int v = c.getInt(key);
    if (v < 1) {
      throw c.invalid(key, "a positive number");
    }
    return v;
  }
}
