package io.estuary.stomp.channel;

import java.util.LinkedHashMap;
import java.util.TreeMap;

/**
 * One STOMP subscription of a connection: its id, destination, ack mode, the core subscription it rides
 * on, the MESSAGEs sent and not acknowledged (in send order) and those waiting for room under {@code
 * max_unacked} (in arrival order, so a NACKed message goes back before newer ones).
 */
final class StompSubscription {
  final String id;
  final String destination;
  final String filter;
  final AckMode mode;
  final boolean durable;
  final int coreId;
  final LinkedHashMap<String, Entry> unacked = new LinkedHashMap<>();
  final TreeMap<Long, Entry> pending = new TreeMap<>();

  StompSubscription(String id, String destination, String filter, AckMode mode, boolean durable, int coreId) {
    this.id = id;
    this.destination = destination;
    this.filter = filter;
    this.mode = mode;
    this.durable = durable;
    this.coreId = coreId;
  }

  /** One message for this subscription: sent (with its current ack id) or waiting. */
  static final class Entry {
    final Held held;
    final StompSubscription sub;
    final long seq;
    String ackId;
    int nacks;
    boolean redelivered;

    Entry(Held held, StompSubscription sub, long seq, boolean redelivered) {
      this.held = held;
      this.sub = sub;
      this.seq = seq;
      this.redelivered = redelivered;
    }
  }

  /** A core delivery shared by the subscriptions it went to; acknowledged to the core when none holds it. */
  static final class Held {
    final io.estuary.api.DeliveryId id;
    final io.estuary.api.Message message;
    int refs;

    Held(io.estuary.api.DeliveryId id, io.estuary.api.Message message) {
      this.id = id;
      this.message = message;
    }
  }
}
