package io.estuary.core.store;

import io.estuary.api.Message;
import io.estuary.api.Metrics;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Where sessions, their queues and inflight state, retained messages and adapters' state live.
 * Only persistent sessions are written. Implementations are thread-safe; writes for one session come
 * from that session's executor, in order. Writes never block the caller for disk I/O longer than an
 * in-memory append; {@link #sync()} is the durability barrier. Bulk reads ({@code forEach*},
 * {@code load*}) are for recovery, before the session they read has written anything.
 */
public interface Store extends AutoCloseable {

  void saveSession(SessionRecord session);

  /** Removes the session with its messages and awaiting-release ids. */
  void deleteSession(String clientId);

  void forEachSession(Consumer<SessionRecord> visitor);

  /** Inserts or replaces the message with {@code message.seq()}. */
  void saveMessage(String clientId, StoredMessage message);

  void deleteMessage(String clientId, long seq);

  /** The session's messages in sequence order. */
  List<StoredMessage> loadMessages(String clientId);

  /** Records {@code packetId} as received and routed (the commit of {@link #markRouting}, if one preceded it). */
  void addAwaitingRelease(String clientId, int packetId);

  /**
   * Writes the routing marker of a QoS 2 PUBLISH from a persistent session, before its copies are
   * queued: the copies carry {@code tag} ({@link StoredMessage#routingTag()}) and
   * {@link #addAwaitingRelease} commits it after the last of them. If a crash lands between the two,
   * recovery rolls the publish back: the marker and every copy with its tag are deleted, so the
   * publisher's re-sent PUBLISH (it never got PUBREC) is routed once, not twice. Stores that do not
   * survive the process only record the id.
   */
  default void markRouting(String clientId, int packetId, long tag) {
    addAwaitingRelease(clientId, packetId);
  }

  void removeAwaitingRelease(String clientId, int packetId);

  Set<Integer> loadAwaitingRelease(String clientId);

  void saveRetained(Message message);

  void deleteRetained(String topic);

  void forEachRetained(Consumer<Message> visitor);

  /** The synchronous table of {@code namespace} (adapters get theirs through {@link AsyncKeyValueSpace}). */
  KeyValueTable keyValueTable(String namespace);

  /** Completes once everything written before the call is durable (immediately for memory). */
  CompletionStage<Void> sync();

  /** Whether data outlives the process. */
  boolean durable();

  /**
   * False while the store refuses new persistent work ({@link #refusal()} non-null): new messages for
   * persistent sessions that no publisher waits for (wills, QoS 0 queued offline) are then dropped and counted.
   */
  default boolean hasRoom() {
    return refusal() == null;
  }

  /**
   * Why new persistent work is refused now, or null when it is admitted: {@link StoreAdmission#MAX_BYTES}
   * (over {@code persistence.max_bytes}), {@link StoreAdmission#BUSY} (the writer's queue is over
   * {@code persistence.max_pending_writes}/{@code max_pending_bytes}) or {@link StoreAdmission#WRITE_ERROR}
   * (the last write failed: a full or failing disk). Updates, deletes and reads are never refused.
   */
  default String refusal() {
    return null;
  }

  /**
   * Admission of new persistent work of kind {@code work}: true = go ahead; false = refused now, counted in
   * {@code store.refused{reason, work}} and logged (rate-limited). Any thread; cheap.
   */
  default boolean admit(StoreAdmission.Work work) {
    return true;
  }

  /**
   * Admitted work of kind {@code work} whose write then failed and was answered as refused: counted in
   * {@code store.refused{reason=write_error, work}}.
   */
  default void writeFailed(StoreAdmission.Work work) {}

  /** Registers the store's own gauges and counters; called once by the gateway. */
  default void registerMetrics(Metrics metrics) {}

  @Override
  void close();
}
