package io.estuary.core.session;

import io.estuary.api.ClientInfo;
import io.estuary.api.Message;
import io.estuary.api.Metrics;
import io.estuary.api.limits.LogThrottle;
import io.estuary.api.topic.Topics;
import io.estuary.core.config.MqttLimits;
import io.estuary.core.topic.RetainedIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker-wide caps of issue #13 that every protocol meets in the core: topic length and depth on
 * publish and subscribe ({@code mqtt.max_topic_length}, {@code mqtt.max_topic_levels}) and the retainer's
 * caps. Each refusal is counted; operator-relevant ones (a full retainer) are logged at WARN at most once a
 * minute with the number of lines left out, per-client trouble goes to {@code io.estuary.core.session.drops}
 * at DEBUG. Stateless but for counters and throttles: safe from any thread.
 */
final class CoreLimits {
  private static final Logger LOG = LoggerFactory.getLogger(CoreLimits.class);
  static final long LOG_INTERVAL_MILLIS = 60_000;

  private final MqttLimits limits;
  private final Metrics.Counter publishTooLong;
  private final Metrics.Counter publishTooDeep;
  private final Metrics.Counter publishInvalid;
  private final Metrics.Counter subscribeTooLong;
  private final Metrics.Counter subscribeTooDeep;
  private final Metrics.Counter subscribeInvalid;
  private final Metrics.Counter retainedQuota;
  private final Metrics.Counter retainedTooLarge;
  private final Metrics.Counter retainedBytes;
  private final Metrics.Counter topicTreeFull;
  private final LogThrottle topicTreeLog = LogThrottle.every(LOG_INTERVAL_MILLIS);
  private final LogThrottle retainedLog = LogThrottle.every(LOG_INTERVAL_MILLIS);

  CoreLimits(MqttLimits limits, Metrics metrics) {
    this.limits = limits;
    publishTooLong = metrics.counter("topics.refused", "action", "publish", "reason", "too_long");
    publishTooDeep = metrics.counter("topics.refused", "action", "publish", "reason", "too_deep");
    publishInvalid = metrics.counter("topics.refused", "action", "publish", "reason", "invalid");
    subscribeTooLong = metrics.counter("topics.refused", "action", "subscribe", "reason", "too_long");
    subscribeTooDeep = metrics.counter("topics.refused", "action", "subscribe", "reason", "too_deep");
    subscribeInvalid = metrics.counter("topics.refused", "action", "subscribe", "reason", "invalid");
    retainedQuota = metrics.counter("retained.refused", "reason", "quota_exceeded");
    retainedTooLarge = metrics.counter("retained.refused", "reason", "too_large");
    retainedBytes = metrics.counter("retained.refused", "reason", "bytes_exceeded");
    topicTreeFull = metrics.counter("subscriptions.refused", "reason", "topic_tree_full");
  }

  /** A subscription refused because the index would pass {@code mqtt.max_topic_tree_nodes}: counted, WARN once a minute. */
  void topicTreeFull(ClientInfo client, String filter, int nodesNow) {
    topicTreeFull.increment();
    long suppressed = topicTreeLog.admit();
    if (suppressed >= 0) {
      LOG.warn("a subscription of {} to a filter of {} levels refused: the topic tree holds {} nodes, "
          + "mqtt.max_topic_tree_nodes is {}" + LogThrottle.suffix(suppressed), client == null ? "-" : client.clientId(),
          filter.split("/", -1).length, nodesNow, limits.maxTopicTreeNodes());
    }
  }

  /** Whether {@code topic} is a valid name within the length and depth limits; a refusal is counted. */
  boolean topicNameAccepted(ClientInfo publisher, String topic) {
    if (topic != null && utf8Length(topic) > limits.maxTopicLength()) {
      return refused(publishTooLong, publisher, "publish", topic, "longer than mqtt.max_topic_length");
    }
    String why = Topics.checkName(topic, limits.maxTopicLevels());
    if (why == null) {
      return true;
    }
    return refused(why.equals("too many topic levels") ? publishTooDeep : publishInvalid, publisher, "publish", topic, why);
  }

  /** Whether {@code filter} (no {@code $share} prefix) is valid within the limits; a refusal is counted. */
  boolean topicFilterAccepted(ClientInfo client, String filter) {
    if (filter != null && utf8Length(filter) > limits.maxTopicLength()) {
      return refused(subscribeTooLong, client, "subscribe", filter, "longer than mqtt.max_topic_length");
    }
    String why = Topics.checkFilter(filter, limits.maxTopicLevels());
    if (why == null) {
      return true;
    }
    return refused(why.equals("too many topic levels") ? subscribeTooDeep : subscribeInvalid, client, "subscribe",
        filter, why);
  }

  private static boolean refused(Metrics.Counter c, ClientInfo client, String action, String topic, String why) {
    c.increment();
    if (Broker.DROPS.isDebugEnabled()) {
      Broker.DROPS.debug("{} of {} ({}) to a topic of {} bytes refused: {}", action, client == null ? "the broker" : client.clientId(),
          client == null ? "-" : client.protocol(), topic == null ? 0 : utf8Length(topic), why);
    }
    return false;
  }

  /**
   * Whether retained {@code m} (non-empty payload) may be stored: not over {@code retainer.max_payload_size},
   * a new topic not beyond {@code retainer.max_retained_messages} (replacing a retained topic always may), and
   * the retained messages' weight not beyond {@code retainer.max_retained_bytes} (unless it shrinks).
   * Racing publishers of new topics may overshoot the count by at most their number.
   */
  boolean retainAccepted(Message m, RetainedIndex retained) {
    long maxPayload = limits.maxRetainedPayloadSize();
    if (maxPayload > 0 && m.payload().size() > maxPayload) {
      retainedTooLarge.increment();
      warn("a retained message of {} bytes on {} is routed but not retained: retainer.max_payload_size is {}",
          m.payload().size(), m.topic(), maxPayload);
      return false;
    }
    int max = limits.maxRetainedMessages();
    if (max > 0 && retained.size() >= max && !retained.contains(m.topic())) {
      retainedQuota.increment();
      warn("a retained message on new topic {} is routed but not retained: retainer.max_retained_messages ({}) reached",
          m.topic(), max, null);
      return false;
    }
    long maxBytes = limits.maxRetainedBytes();
    if (maxBytes > 0) {
      Message old = retained.get(m.topic());
      long after = retained.bytes() - (old == null ? 0 : RetainedIndex.weight(old)) + RetainedIndex.weight(m);
      if (after > maxBytes && after > retained.bytes()) { // a replacement that weighs no more always goes in
        retainedBytes.increment();
        warn("a retained message of {} bytes on {} is routed but not retained: retainer.max_retained_bytes ({}) reached",
            m.payload().size(), m.topic(), maxBytes);
        return false;
      }
    }
    return true;
  }

  private void warn(String format, Object a, Object b, Object c) {
    long suppressed = retainedLog.admit();
    if (suppressed >= 0) {
      LOG.warn(format + LogThrottle.suffix(suppressed), a, b, c);
    }
  }

  /** The UTF-8 encoded length of {@code s} (MQTT strings are UTF-8: the limit is in bytes, as EMQX's). */
  static int utf8Length(String s) {
    int n = s.length();
    int bytes = n;
    for (int i = 0; i < n; i++) {
      char ch = s.charAt(i);
      if (ch >= 0x80) {
        if (ch < 0x800) {
          bytes += 1;
        } else if (Character.isHighSurrogate(ch) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          bytes += 2; // a surrogate pair: 4 bytes for 2 chars
          i++;
        } else {
          bytes += 2;
        }
      }
    }
    return bytes;
  }
}
