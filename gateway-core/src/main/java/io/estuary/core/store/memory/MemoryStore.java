package io.estuary.core.store.memory;

import io.estuary.api.Message;
import io.estuary.core.store.KeyValueTable;
import io.estuary.core.store.SessionRecord;
import io.estuary.core.store.Store;
import io.estuary.core.store.StoredMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** Everything in maps: lost with the process. Used with {@code persistence.enabled = false} and in tests. */
public final class MemoryStore implements Store {
  private final Map<String, SessionRecord> sessions = new ConcurrentHashMap<>();
  private final Map<String, ConcurrentSkipListMap<Long, StoredMessage>> messages = new ConcurrentHashMap<>();
  private final Map<String, Set<Integer>> awaitingRel = new ConcurrentHashMap<>();
  private final Map<String, Message> retained = new ConcurrentHashMap<>();
  private final Map<String, MemoryKeyValueSpace> spaces = new ConcurrentHashMap<>();

  @Override
  public void saveSession(SessionRecord session) {
    sessions.put(session.clientId(), session);
  }

  @Override
  public void deleteSession(String clientId) {
    sessions.remove(clientId);
    messages.remove(clientId);
    awaitingRel.remove(clientId);
  }

  @Override
  public void forEachSession(Consumer<SessionRecord> visitor) {
    sessions.values().forEach(visitor);
  }

  @Override
  public void saveMessage(String clientId, StoredMessage message) {
    messages.computeIfAbsent(clientId, k -> new ConcurrentSkipListMap<>()).put(message.seq(), message);
  }

  @Override
  public void deleteMessage(String clientId, long seq) {
    var q = messages.get(clientId);
    if (q != null) {
      q.remove(seq);
    }
  }

  @Override
  public List<StoredMessage> loadMessages(String clientId) {
    var q = messages.get(clientId);
    return q == null ? List.of() : new ArrayList<>(q.values());
  }

  @Override
  public void addAwaitingRelease(String clientId, int packetId) {
    awaitingRel.computeIfAbsent(clientId, k -> ConcurrentHashMap.newKeySet()).add(packetId);
  }

  @Override
  public void removeAwaitingRelease(String clientId, int packetId) {
    var s = awaitingRel.get(clientId);
    if (s != null) {
      s.remove(packetId);
    }
  }

  @Override
  public Set<Integer> loadAwaitingRelease(String clientId) {
    var s = awaitingRel.get(clientId);
    return s == null ? Set.of() : Set.copyOf(s);
  }

  @Override
  public void saveRetained(Message message) {
    retained.put(message.topic(), message);
  }

  @Override
  public void deleteRetained(String topic) {
    retained.remove(topic);
  }

  @Override
  public void forEachRetained(Consumer<Message> visitor) {
    retained.values().forEach(visitor);
  }

  @Override
  public KeyValueTable keyValueTable(String namespace) {
    return spaces.computeIfAbsent(namespace, n -> new MemoryKeyValueSpace());
  }

  @Override
  public CompletionStage<Void> sync() {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public boolean durable() {
    return false;
  }

  @Override
  public void close() {}

  private static final class MemoryKeyValueSpace implements KeyValueTable {
    private final ConcurrentSkipListMap<String, byte[]> map = new ConcurrentSkipListMap<>();

    @Override
    public void put(String key, byte[] value) {
      map.put(key, value.clone());
    }

    @Override
    public byte[] get(String key) {
      byte[] v = map.get(key);
      return v == null ? null : v.clone();
    }

    @Override
    public void delete(String key) {
      map.remove(key);
    }

    @Override
    public void scan(String prefix, BiConsumer<String, byte[]> visitor) {
      for (var e : map.tailMap(prefix, true).entrySet()) {
        if (!e.getKey().startsWith(prefix)) {
          break;
        }
        visitor.accept(e.getKey(), e.getValue().clone());
      }
    }
  }
}
