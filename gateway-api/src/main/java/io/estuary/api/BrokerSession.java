package io.estuary.api;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Adapter → broker: one per connected device, handed out by {@link GatewayContext#openSession}.
 *
 * <p><b>Threads.</b> Who calls: the adapter, one call at a time per session, normally from the paired
 * {@link DeliverySink#executor()} (the device's event loop or serial executor); calls never block.
 * Who completes: every stage this interface returns completes inside a task the broker hands to
 * {@link DeliverySink#executor()} — also when the answer is known at once (a QoS 0 publish, a
 * duplicate, a refusal) and when it is a failure. So an action attached with the non-async
 * {@code thenX}/{@code whenComplete} from that executor runs on that executor, after the current task.
 * Stages of publishes complete in the order of the calls.
 *
 * <p><b>Lifetime.</b> A session handle belongs to one connection. After {@link #close}, or once the sink
 * was told {@link DeliverySink#sessionClosed} (take-over, kick, expiry, shutdown), calls change nothing:
 * publish stages complete with {@code SESSION_CLOSED}, other stages exceptionally, void methods are
 * ignored.
 */
public interface BrokerSession {

  /** The client id; any thread. */
  String clientId();

  /** Whether state from an earlier connection was resumed (MQTT CONNACK session present); any thread. */
  boolean sessionPresent();

  /**
   * Routes a message from this device, after the ACL check, on the calling thread. The stage completes
   * once the outcome is final — for QoS 1/2 with a durable store, once the message is durable in every
   * target's queue — on the sink's executor. QoS 2 messages routed this way get no duplicate
   * suppression; use {@link #publishOnce} for that.
   */
  CompletionStage<PublishOutcome> publish(Message message);

  /**
   * As {@link #publish} for a QoS 0 message whose outcome the device never hears of (MQTT, MQTT-SN and
   * CoAP NON have no answer for it): the same ACL check, routing and counting, but no stage and so no
   * reply task on the sink's executor — the one hop per message a QoS 0 stream would otherwise pay.
   * Refusals are counted and logged by the core. Messages of higher QoS take {@link #publish}'s path.
   */
  default void publishUnanswered(Message message) {
    publish(message);
  }

  /**
   * Exactly-once inbound (MQTT 5 §4.3.3 method B, MQTT-SN QoS 2): routes the message unless
   * {@code key} is still held from an earlier publish, in which case the outcome is {@code DUPLICATE}
   * and nothing is routed. The key is the adapter's choice of duplicate-suppression key (the MQTT packet
   * id, the MQTT-SN message id); it is held — and persisted with a persistent session, across
   * take-overs and restarts — until {@link #releaseKey}. Too many held keys ({@code mqtt.max_awaiting_rel})
   * answer {@code QUOTA_EXCEEDED}. The stage completes on the sink's executor as for {@link #publish}.
   */
  CompletionStage<PublishOutcome> publishOnce(int key, Message message);

  /**
   * Frees a key held by {@link #publishOnce} (the device's release, MQTT PUBREL). Answers on the calling
   * thread, at once: false if the key was not held.
   */
  boolean releaseKey(int key);

  /**
   * Subscribes; one outcome per subscription, in order. Retained messages matching a new subscription
   * are delivered after the stage completed. Completes on the sink's executor.
   */
  CompletionStage<List<SubscribeOutcome>> subscribe(List<Subscription> subscriptions);

  /**
   * Unsubscribes the filters this session has; unknown filters are ignored. Completes on the sink's executor
   * with one entry per filter, in order: true if the session had that subscription (MQTT 5 UNSUBACK 0x00),
   * false if it had none (0x11).
   */
  CompletionStage<List<Boolean>> unsubscribe(List<TopicFilter> filters);

  /**
   * QoS 2 outbound: the device confirmed receipt (MQTT PUBREC) — the message will not be sent again; a
   * redelivery after a reconnect is {@link Delivery#releasePending()}. Returns at once.
   */
  void received(DeliveryId id);

  /**
   * QoS 1/2 outbound: the delivery is done (MQTT PUBACK, PUBCOMP) and frees a slot of the inflight
   * window. Returns at once; an id that names no unacknowledged delivery is ignored.
   */
  void acknowledge(DeliveryId id);

  /** As {@link #acknowledge(DeliveryId)} for each id, in one hop to the session (fewer tasks under load). */
  default void acknowledge(List<DeliveryId> ids) {
    for (DeliveryId id : ids) {
      acknowledge(id);
    }
  }

  /**
   * The device sleeps (MQTT-SN §6.14, LwM2M queue mode): deliveries are queued until {@link #wake()}.
   * The broker keeps no sleep deadline: the adapter owns it (it knows the protocol's tolerance) and
   * ends a device that misses it with {@link CloseReason#SLEEP_TIMEOUT}. Returns at once.
   */
  void sleep();

  /**
   * The device is awake: queued deliveries are sent in order through the sink. The stage completes on
   * the sink's executor once the queue is empty and every QoS 1/2 delivery is acknowledged (MQTT-SN
   * sends PINGRESP then), or exceptionally if the connection ends first.
   */
  CompletionStage<Void> wake();

  /**
   * The sink has room again after the broker found {@link DeliverySink#credits()} at zero: the broker
   * resumes sending. Returns at once.
   */
  void creditsAvailable();

  /**
   * Replaces the will given in {@link SessionOptions#will()}; null clears it. A general capability of
   * the session (every adapter may give a will); used by protocols that let a device change its will
   * while connected (MQTT-SN WILLTOPICUPD/WILLMSGUPD). Persisted with a persistent session. Returns at once.
   */
  void updateWill(Message will);

  /** Ends this connection. A persistent session stays; the will goes out if the reason says so. Returns at once. */
  void close(CloseReason reason);

  /**
   * Ends this connection and deletes the session even if it is persistent, as if it had expired: no
   * will, nothing kept in the store. For a session the adapter opened for a client that never proved it
   * receives (MQTT-SN half-open sessions on plain UDP, issue #13): a spoofed {@code clean = 0} CONNECT
   * must neither fill the store nor come back at restart. Use it only for a session this connection
   * created ({@link #sessionPresent()} false). Returns at once. The default closes as
   * {@link CloseReason#SESSION_EXPIRED} (for implementations without persistence).
   */
  default void discard() {
    close(CloseReason.SESSION_EXPIRED);
  }

  /** Messages waiting in this session's queue (not yet sent); a snapshot, any thread. */
  int queued();

  /**
   * Size of the messages waiting in this session's queue, in bytes (payload + topic of each): the
   * quantity {@link QueuePolicy#maxBytes()} caps, for adapters that report their buffer's fill (the
   * uplink's backlog). A snapshot, any thread.
   */
  long queuedBytes();
}
