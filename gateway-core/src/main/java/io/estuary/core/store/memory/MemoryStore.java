package io.estuary.core.store.memory;

import io.estuary.api.Message;
import io.estuary.api.Metrics;
import io.estuary.core.store.KeyValueTable;
import io.estuary.core.store.SessionRecord;
import io.estuary.core.store.Store;
import io.estuary.core.store.StoreAdmission;
import io.estuary.core.store.StoredMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Everything in maps: lost with the process. Used with {@code persistence.enabled = false} and in tests. With a
 * cap ({@code persistence.memory_max_bytes}, issue #13) it keeps an estimate of the heap it holds (payloads, topics,
 * keys, values and a fixed overhead per entry) and, past the cap, refuses new persistent work exactly as the disk
 * store refuses past {@code persistence.max_bytes} ({@link StoreAdmission#MAX_BYTES}); replacing, deleting and
 * reading always go on. Thread-safe (concurrent maps, an atomic byte count).
 */
public final class MemoryStore implements Store {
  /** Per-entry overhead in the estimate: map node, record and array headers. */
  private static final int ENTRY = 64;

  private final long maxBytes;
  private final AtomicLong bytes = new AtomicLong();
  private final StoreAdmission admission = new StoreAdmission(this::refusal);
  private final Map<String, SessionRecord> sessions = new ConcurrentHashMap<>();
  private final Map<String, ConcurrentSkipListMap<Long, StoredMessage>> messages = new ConcurrentHashMap<>();
  private final Map<String, Set<Integer>> awaitingRel = new ConcurrentHashMap<>();
  private final Map<String, Message> retained = new ConcurrentHashMap<>();
  private final Map<String, MemoryKeyValueSpace> spaces = new ConcurrentHashMap<>();

  /** Without a cap. */
  public MemoryStore() {
    this(0);
  }

  /** @param maxBytes past this estimate new persistent work is refused; 0 = no cap */
  public MemoryStore(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** The estimated heap held, in bytes. */
  public long estimatedBytes() {
    return bytes.get();
  }

  @Override
  public String refusal() {
    return maxBytes > 0 && bytes.get() >= maxBytes ? StoreAdmission.MAX_BYTES : null;
  }

  @Override
  public boolean admit(StoreAdmission.Work work) {
    return admission.admit(work);
  }

  /** The refusal counts ({@code store.refused{reason, work}}). */
  public StoreAdmission admission() {
    return admission;
  }

  @Override
  public void registerMetrics(Metrics metrics) {
    metrics.gauge("store.bytes", this::estimatedBytes);
    admission.registerMetrics(metrics);
  }

  private static long size(Message m) {
    return m == null ? 0 : ENTRY + 2L * m.topic().length() + m.payload().size();
  }

  private static long size(SessionRecord r) {
    return r == null ? 0 : 2 * ENTRY + 2L * r.clientId().length() + (long) ENTRY * r.subscriptions().size() + size(r.will());
  }

  private static long size(StoredMessage m) {
    return m == null ? 0 : ENTRY + size(m.message()) + 8L * m.subscriptionIds().size();
  }

  private void account(long added, long removed) {
    if (added != removed) {
      bytes.addAndGet(added - removed);
    }
  }

  @Override
  public void saveSession(SessionRecord session) {
    account(size(session), size(sessions.put(session.clientId(), session)));
  }

  @Override
  public void deleteSession(String clientId) {
    account(0, size(sessions.remove(clientId)));
    var q = messages.remove(clientId);
    if (q != null) {
      account(0, q.values().stream().mapToLong(MemoryStore::size).sum());
    }
    var rel = awaitingRel.remove(clientId);
    if (rel != null) {
      account(0, (long) ENTRY * rel.size());
    }
  }

  @Override
  public void forEachSession(Consumer<SessionRecord> visitor) {
    sessions.values().forEach(visitor);
  }

  @Override
  public void saveMessage(String clientId, StoredMessage message) {
    account(size(message), size(messages.computeIfAbsent(clientId, k -> new ConcurrentSkipListMap<>()).put(message.seq(), message)));
  }

  @Override
  public void deleteMessage(String clientId, long seq) {
    var q = messages.get(clientId);
    if (q != null) {
      account(0, size(q.remove(seq)));
    }
  }

  @Override
  public List<StoredMessage> loadMessages(String clientId) {
    var q = messages.get(clientId);
    return q == null ? List.of() : new ArrayList<>(q.values());
  }

  @Override
  public void addAwaitingRelease(String clientId, int packetId) {
    if (awaitingRel.computeIfAbsent(clientId, k -> ConcurrentHashMap.newKeySet()).add(packetId)) {
      account(ENTRY, 0);
    }
  }

  @Override
  public void removeAwaitingRelease(String clientId, int packetId) {
    var s = awaitingRel.get(clientId);
    if (s != null && s.remove(packetId)) {
      account(0, ENTRY);
    }
  }

  @Override
  public Set<Integer> loadAwaitingRelease(String clientId) {
    var s = awaitingRel.get(clientId);
    return s == null ? Set.of() : Set.copyOf(s);
  }

  @Override
  public void saveRetained(Message message) {
    account(size(message), size(retained.put(message.topic(), message)));
  }

  @Override
  public void deleteRetained(String topic) {
    account(0, size(retained.remove(topic)));
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

  private final class MemoryKeyValueSpace implements KeyValueTable {
    private final ConcurrentSkipListMap<String, byte[]> map = new ConcurrentSkipListMap<>();

    private long size(String key, byte[] value) {
      return value == null ? 0 : ENTRY + 2L * key.length() + value.length;
    }

    @Override
    public void put(String key, byte[] value) {
      account(size(key, value), size(key, map.put(key, value.clone())));
    }

    @Override
    public byte[] get(String key) {
      byte[] v = map.get(key);
      return v == null ? null : v.clone();
    }

    @Override
    public void delete(String key) {
      account(0, size(key, map.remove(key)));
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
