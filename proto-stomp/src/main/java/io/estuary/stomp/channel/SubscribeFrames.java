package io.estuary.stomp.channel;

import io.estuary.api.SubscribeOutcome;
import io.estuary.api.Subscription;
import io.estuary.api.TopicFilter;
import io.estuary.api.topic.Topics;
import io.estuary.stomp.StompConfig;
import io.estuary.stomp.codec.StompFrame;
import io.estuary.stomp.codec.StompVersion;
import java.util.List;

/**
 * SUBSCRIBE and UNSUBSCRIBE (STOMP 1.2 §SUBSCRIBE): checks, durable names (ActiveMQ's
 * {@code activemq.subscriptionName}, RabbitMQ's {@code persistent:true}), the core subscription and the
 * answer (RECEIPT, or ERROR for a refusal, counted when the ACL refused).
 *
 * <p>Thread contract: owned by the channel's thread; the core's stages are handed back to it.
 */
final class SubscribeFrames {
  private final StompChannel ch;
  private final StompConfig config;
  private final StompMetrics metrics;
  private final Subscriptions subs;

  SubscribeFrames(StompChannel ch, StompConfig config, StompMetrics metrics, Subscriptions subs) {
    this.ch = ch;
    this.config = config;
    this.metrics = metrics;
    this.subs = subs;
  }

  void subscribe(StompFrame f) {
    String destination = f.header("destination");
    String id = f.header("id", ch.version() == StompVersion.V1_0 ? destination : null);
    AckMode mode = AckMode.of(f.header("ack"));
    if (destination == null || destination.isEmpty() || id == null) {
      ch.error("SUBSCRIBE needs destination and id", f);
      return;
    }
    if (mode == null) {
      ch.error("ack must be auto, client or client-individual", f);
      return;
    }
    if (subs.get(id) != null) {
      ch.error("subscription " + id + " already exists", f);
      return;
    }
    if (subs.size() >= config.maxSubscriptions()) {
      ch.error("more than " + config.maxSubscriptions() + " subscriptions", f);
      return;
    }
    String filter = ch.mountpoint().mountFilter(destination);
    String why = Topics.checkFilter(filter);
    if (why != null) {
      ch.error("destination '" + destination + "' is not a valid topic filter: " + why, f);
      return;
    }
    String durableName = durableName(f, id);
    if (durableName == null && (f.header("persistent") != null || f.header("activemq.subscriptionName") != null)
        && !ch.persistentSession()) {
      ch.error("a durable subscription needs a client-id header on CONNECT", f);
      return;
    }
    StompSubscription s = new StompSubscription(id, destination, filter, mode, durableName != null,
        subs.coreIdFor(filter, durableName));
    subs.add(s);
    int qos = mode == AckMode.AUTO ? config.autoAckQos() : 1;
    if (!subs.needsCoreSubscribe(filter, qos)) {
      ch.receipt(f);
      return;
    }
    Subscription sub = new Subscription(new TopicFilter(filter), qos, false, false, 0, s.coreId);
    ch.session().subscribe(List.of(sub)).whenComplete((outcomes, err) -> ch.step(() -> {
      if (ch.state() != StompChannel.State.CONNECTED) {
        return;
      }
      SubscribeOutcome o = err == null && !outcomes.isEmpty() ? outcomes.get(0) : null;
      if (o != null && o.isGranted()) {
        ch.receipt(f);
        return;
      }
      subs.remove(s, ch.session());
      if (o != null && o.failure() == SubscribeOutcome.Failure.NOT_AUTHORIZED) {
        metrics.deniedSubscribe.increment();
        ch.error("not authorized to subscribe to " + destination, f);
      } else {
        ch.error("subscription to " + destination + " refused: " + (err != null ? err : o == null ? "no answer" : o.failure()), f);
      }
    }));
  }

  /** ActiveMQ's {@code activemq.subscriptionName} or RabbitMQ's {@code persistent:true} (named by id). */
  private String durableName(StompFrame f, String id) {
    if (!ch.persistentSession()) {
      return null;
    }
    String name = f.header("activemq.subscriptionName");
    if (name != null) {
      return name;
    }
    return "true".equals(f.header("persistent")) ? id : null;
  }

  void unsubscribe(StompFrame f) {
    String id = f.header("id", ch.version() == StompVersion.V1_0 ? f.header("destination") : null);
    StompSubscription s = id == null ? null : subs.get(id);
    if (s == null) {
      ch.error("no subscription " + id, f);
      return;
    }
    if (subs.remove(s, ch.session())) {
      ch.session().unsubscribe(List.of(new TopicFilter(s.filter)));
    }
    ch.receipt(f);
  }
}
