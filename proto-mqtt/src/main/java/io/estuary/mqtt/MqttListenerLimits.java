package io.estuary.mqtt;

import java.time.Duration;

/**
 * The {@code mqtt.*} keys the listener enforces on the wire. The broker core reads the same block for
 * what it owns (queues, inflight window, subscription limits); both read one source, so they agree.
 *
 * @param maxPacketSize {@code mqtt.max_packet_size}: larger packets are refused (MQTT 5 0x95)
 * @param maxClientIdLength {@code mqtt.max_clientid_len}
 * @param maxTopicLevels {@code mqtt.max_topic_levels}
 * @param maxQosAllowed {@code mqtt.max_qos_allowed}: 0, 1 or 2
 * @param maxTopicAlias {@code mqtt.max_topic_alias}: inbound aliases the listener accepts (MQTT 5)
 * @param maxInflight {@code mqtt.max_inflight}: caps the client's receive maximum
 * @param maxAwaitingRel {@code mqtt.max_awaiting_rel}: announced as the server's receive maximum (0 = 65535)
 * @param maxSessionExpiry {@code mqtt.max_session_expiry}: the session expiry of MQTT 3 persistent sessions
 * @param keepaliveMultiplier {@code mqtt.keepalive_multiplier}: the read timeout is keepalive × this
 * @param idleTimeout {@code mqtt.idle_timeout}: time from TCP accept to CONNECT
 */
public record MqttListenerLimits(
    int maxPacketSize,
    int maxClientIdLength,
    int maxTopicLevels,
    int maxQosAllowed,
    int maxTopicAlias,
    boolean retainAvailable,
    boolean wildcardSubscription,
    boolean sharedSubscription,
    boolean subscriptionIdentifiers,
    int maxInflight,
    int maxAwaitingRel,
    Duration maxSessionExpiry,
    double keepaliveMultiplier,
    Duration idleTimeout) {

  /** EMQX's defaults, as in gateway-core's reference.conf (tests). */
  public static final MqttListenerLimits DEFAULTS = new MqttListenerLimits(1 << 20, 65535, 128, 2, 65535, true, true, true, true,
      32, 100, Duration.ofHours(2), 1.5, Duration.ofSeconds(15));

  public MqttListenerLimits {
    require(maxPacketSize >= 64 && maxPacketSize <= 268_435_455, "maxPacketSize", maxPacketSize);
    require(maxClientIdLength >= 23 && maxClientIdLength <= 65535, "maxClientIdLength", maxClientIdLength);
    require(maxTopicLevels >= 1, "maxTopicLevels", maxTopicLevels);
    require(maxQosAllowed >= 0 && maxQosAllowed <= 2, "maxQosAllowed", maxQosAllowed);
    require(maxTopicAlias >= 0 && maxTopicAlias <= 65535, "maxTopicAlias", maxTopicAlias);
    require(maxInflight >= 1 && maxInflight <= 65535, "maxInflight", maxInflight);
    require(maxAwaitingRel >= 0, "maxAwaitingRel", maxAwaitingRel);
    require(keepaliveMultiplier >= 1.0, "keepaliveMultiplier", keepaliveMultiplier);
    require(!maxSessionExpiry.isNegative() && !idleTimeout.isNegative(), "durations", idleTimeout);
  }

  private static void require(boolean ok, String what, Object value) {
    if (!ok) {
      throw new IllegalArgumentException(what + " out of range: " + value);
    }
  }
}
