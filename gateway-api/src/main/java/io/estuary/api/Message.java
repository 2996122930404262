package io.estuary.api;

import java.util.Objects;

/**
 * An application message as the broker routes it: immutable, protocol-neutral.
 *
 * @param topic the MQTT topic name (no wildcards)
 * @param qos 0, 1 or 2
 * @param createdAtMillis when the broker first accepted it (wall clock); used for message expiry
 * @param publisher client id of the session that published it, set by the broker when it accepts the
 *     message (EMQX's {@code from}); null for broker-originated messages and on messages an adapter builds
 */
public record Message(
    String topic, Payload payload, int qos, boolean retain, MessageProperties properties, long createdAtMillis,
    String publisher) {

  /** A message with no publisher yet (the broker stamps it when the message is published). */
  public Message(String topic, Payload payload, int qos, boolean retain, MessageProperties properties, long createdAtMillis) {
    this(topic, payload, qos, retain, properties, createdAtMillis, null);
  }

  public Message {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos must be 0..2, was " + qos);
    }
    properties = properties == null ? MessageProperties.NONE : properties;
  }

  public static Message of(String topic, Payload payload, int qos, boolean retain) {
    return new Message(topic, payload, qos, retain, MessageProperties.NONE, 0L);
  }

  public Message withTopic(String t) {
    return new Message(t, payload, qos, retain, properties, createdAtMillis, publisher);
  }

  public Message withQos(int q) {
    return q == qos ? this : new Message(topic, payload, q, retain, properties, createdAtMillis, publisher);
  }

  public Message withRetain(boolean r) {
    return r == retain ? this : new Message(topic, payload, qos, r, properties, createdAtMillis, publisher);
  }

  public Message withProperties(MessageProperties p) {
    return new Message(topic, payload, qos, retain, p, createdAtMillis, publisher);
  }

  public Message withCreatedAt(long millis) {
    return new Message(topic, payload, qos, retain, properties, millis, publisher);
  }

  public Message withPublisher(String clientId) {
    return java.util.Objects.equals(clientId, publisher) ? this
        : new Message(topic, payload, qos, retain, properties, createdAtMillis, clientId);
  }

  /** True when the message carries an expiry interval that has run out at {@code nowMillis}. */
  public boolean isExpired(long nowMillis) {
    Long exp = properties.messageExpiryInterval();
    return exp != null && createdAtMillis > 0 && nowMillis >= createdAtMillis + exp * 1000L;
  }

  /** Remaining expiry in seconds (MQTT 5 §3.3.2.3.3: the receiver gets the remaining time), or null. */
  public Long remainingExpirySeconds(long nowMillis) {
    Long exp = properties.messageExpiryInterval();
    if (exp == null || createdAtMillis <= 0) {
      return exp;
    }
    long left = (createdAtMillis + exp * 1000L - nowMillis + 999) / 1000;
    return Math.max(0, left);
  }
}
