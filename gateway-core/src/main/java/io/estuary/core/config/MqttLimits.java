package io.estuary.core.config;

import io.estuary.api.QueuePolicy;
import java.time.Duration;

/**
 * The {@code mqtt.*} keys the broker core enforces (session, queue and routing limits) and the retainer's
 * caps ({@code retainer.max_retained_messages}, {@code retainer.max_payload_size}: EMQX 5's names). The keys
 * only the MQTT listener uses (topic aliases, keepalive multiplier, idle timeout) are read and checked by
 * proto-mqtt. Every limit is enforced in the core, so it holds for every protocol's publishes and subscribes.
 *
 * @param maxSessions {@code mqtt.max_sessions}: sessions (connected or not) the broker holds at most; a new
 *     one beyond it is refused with QUOTA_EXCEEDED (0 = unbounded)
 * @param maxTopicLength {@code mqtt.max_topic_length}: UTF-8 bytes of a topic name or filter
 * @param maxRetainedMessages {@code retainer.max_retained_messages}: retained topics (0 = unbounded)
 * @param maxRetainedPayloadSize {@code retainer.max_payload_size}: bytes of a retained payload (0 = unbounded)
 * @param maxRetainedBytes {@code retainer.max_retained_bytes}: payload and topic bytes of every retained
 *     message together, all held in heap (0 = unbounded)
 * @param maxTopicTreeNodes {@code mqtt.max_topic_tree_nodes}: nodes (one per distinct filter level) of the
 *     subscription index over every session; a subscription needing more is refused (0 = unbounded)
 * @param maxQueuedTotalBytes {@code mqtt.max_mqueue_total_bytes}: heap every session's queue holds together, each
 *     queued copy weighed as its share of its payload and topic plus its entry; beyond it a queue takes no new
 *     message (0 = unbounded)
 */
public record MqttLimits(
    int maxPacketSize,
    int maxClientIdLength,
    int maxTopicLevels,
    int maxQosAllowed,
    boolean retainAvailable,
    boolean wildcardSubscription,
    boolean sharedSubscription,
    boolean subscriptionIdentifiers,
    int maxInflight,
    int maxQueuedMessages,
    long maxQueuedBytes,
    boolean queueQos0,
    QueuePolicy.Overflow queueOverflow,
    int maxAwaitingRel,
    Duration maxSessionExpiry,
    int maxSubscriptions,
    int maxSessions,
    int maxTopicLength,
    int maxRetainedMessages,
    long maxRetainedPayloadSize,
    int maxTopicTreeNodes,
    long maxRetainedBytes,
    long maxQueuedTotalBytes) {

  public MqttLimits {
    check(maxPacketSize >= 64 && maxPacketSize <= 268_435_455, "mqtt.max_packet_size", maxPacketSize, "64B..256MB");
    check(maxClientIdLength >= 23 && maxClientIdLength <= 65535, "mqtt.max_clientid_len", maxClientIdLength, "23..65535");
    check(maxTopicLevels >= 1, "mqtt.max_topic_levels", maxTopicLevels, ">= 1");
    check(maxQosAllowed >= 0 && maxQosAllowed <= 2, "mqtt.max_qos_allowed", maxQosAllowed, "0, 1 or 2");
    check(maxInflight >= 1 && maxInflight <= 65535, "mqtt.max_inflight", maxInflight, "1..65535");
    check(maxQueuedMessages >= 0, "mqtt.max_mqueue_len", maxQueuedMessages, ">= 0 (0 = unbounded)");
    check(maxQueuedBytes >= 0, "mqtt.max_mqueue_bytes", maxQueuedBytes, ">= 0 (0 = no byte cap)");
    check(queueOverflow != null && queueOverflow != QueuePolicy.Overflow.BROKER, "mqtt.mqueue_overflow", queueOverflow,
        "drop_oldest, drop_newest or backpressure");
    check(maxAwaitingRel >= 0, "mqtt.max_awaiting_rel", maxAwaitingRel, ">= 0 (0 = unbounded)");
    check(maxSubscriptions >= 0, "mqtt.max_subscriptions", maxSubscriptions, ">= 0 (0 = unbounded)");
    check(maxSessions >= 0, "mqtt.max_sessions", maxSessions, ">= 0 (0 = unbounded)");
    check(maxTopicLength >= 1 && maxTopicLength <= 65535, "mqtt.max_topic_length", maxTopicLength, "1..65535");
    check(maxRetainedMessages >= 0, "retainer.max_retained_messages", maxRetainedMessages, ">= 0 (0 = unbounded)");
    check(maxRetainedPayloadSize >= 0, "retainer.max_payload_size", maxRetainedPayloadSize, ">= 0 (0 = unbounded)");
    check(maxRetainedBytes >= 0, "retainer.max_retained_bytes", maxRetainedBytes, ">= 0 (0 = unbounded)");
    check(maxQueuedTotalBytes >= 0, "mqtt.max_mqueue_total_bytes", maxQueuedTotalBytes, ">= 0 (0 = unbounded)");
    check(maxTopicTreeNodes >= 0, "mqtt.max_topic_tree_nodes", maxTopicTreeNodes, ">= 0 (0 = unbounded)");
  }

  static void check(boolean ok, String key, Object value, String expected) {
    if (!ok) {
      throw new ConfigError(key, String.valueOf(value), expected);
    }
  }
}
