package io.estuary.core.store;

import io.estuary.core.api.KeyValueSpace;
import io.estuary.core.api.Message;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Where sessions, their queues and inflight state, retained messages and adapters' state live.
 * Only persistent sessions are written. Implementations are thread-safe; writes for one session come
 * from that session's executor, in order. Writes never block the caller for disk I/O longer than an
 * in-memory append; {@link #sync()} is the durability barrier.
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

  void addAwaitingRelease(String clientId, int packetId);

  void removeAwaitingRelease(String clientId, int packetId);

  Set<Integer> loadAwaitingRelease(String clientId);

  void saveRetained(Message message);

  void deleteRetained(String topic);

  void forEachRetained(Consumer<Message> visitor);

  KeyValueSpace keyValueSpace(String namespace);

  /** Completes once everything written before the call is durable (immediately for memory). */
  CompletionStage<Void> sync();

  /** Whether data outlives the process. */
  boolean durable();

  @Override
  void close();
}
