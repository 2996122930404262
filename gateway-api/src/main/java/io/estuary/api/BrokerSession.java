package io.estuary.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Adapter → broker: one per connected device, handed out by {@link GatewayContext#openSession}.
 *
 * <p>Thread contract: every method may be called from any thread, but an adapter calls one session
 * from one thread at a time (its connection's event loop or executor). Methods never block. Returned
 * stages complete on the paired {@link DeliverySink#executor()}. After {@link #close} or after the
 * sink was told {@link DeliverySink#sessionClosed}, calls are ignored and stages complete with
 * {@code SESSION_CLOSED} / exceptionally.
 */
public interface BrokerSession {

  String clientId();

  /** Whether state from an earlier connection was resumed (MQTT CONNACK session present). */
  boolean sessionPresent();

  /**
   * Routes a message from this device, after the ACL check. QoS 2 messages routed this way are
   * delivered at once; use {@link #publishExactlyOnce} to get duplicate suppression by packet id.
   */
  CompletionStage<PublishOutcome> publish(Message message);

  /**
   * QoS 2 inbound (MQTT 5 §4.3.3 method B): routes the message unless {@code packetId} is already
   * awaiting release, in which case the outcome is {@code DUPLICATE}. The id stays reserved (and
   * persists with the session) until {@link #release(int)}.
   */
  CompletionStage<PublishOutcome> publishExactlyOnce(int packetId, Message message);

  /** PUBREL received for {@code packetId}: frees it. Returns false if it was not awaiting release. */
  boolean release(int packetId);

  CompletionStage<List<SubscribeOutcome>> subscribe(List<Subscription> subscriptions);

  CompletionStage<Void> unsubscribe(List<TopicFilter> filters);

  /** QoS 2 outbound: PUBREC arrived, the message will not be sent again, only PUBREL. */
  void received(DeliveryId id);

  /** QoS 1 PUBACK or QoS 2 PUBCOMP: the delivery is done and frees a slot of the inflight window. */
  void acknowledge(DeliveryId id);

  /** As {@link #acknowledge(DeliveryId)} for each id, in one hop to the session (fewer tasks under load). */
  default void acknowledge(List<DeliveryId> ids) {
    for (DeliveryId id : ids) {
      acknowledge(id);
    }
  }

  /** The device asked to sleep: deliveries are queued until {@link #wake()} or {@code duration} ends. */
  void sleep(Duration duration);

  /**
   * The device is awake: queued deliveries are sent in order through the sink. The stage completes
   * once the queue is empty and every QoS 1/2 delivery is acknowledged (MQTT-SN sends PINGRESP then).
   */
  CompletionStage<Void> wake();

  /** The sink has room again after reporting no credits: the broker resumes sending. */
  void creditsAvailable();

  /** Replaces the will (MQTT-SN WILLTOPICUPD/WILLMSGUPD); null clears it. */
  void updateWill(Message will);

  /** Ends this connection. A persistent session stays; the will goes out if the reason says so. */
  void close(CloseReason reason);

  /** Messages waiting in this session's queue (not yet sent), a thread-safe snapshot. */
  default int queued() {
    return 0;
  }

  /**
   * Size of the messages waiting in this session's queue, in bytes (payload + topic of each), a
   * thread-safe snapshot; what {@link SessionOptions#maxQueuedBytes()} caps.
   */
  default long queuedBytes() {
    return 0;
  }

  /** Adapter-specific details for listings (MQTT-SN topic ids, CoAP observes); thread-safe snapshot. */
  default void describe(Map<String, Object> attributes) {}
}
