package io.estuary.testkit;

import io.estuary.api.Message;
import io.estuary.core.store.KeyValueTable;
import io.estuary.core.store.SessionRecord;
import io.estuary.core.store.Store;
import io.estuary.core.store.StoredMessage;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** Wraps a store the test owns so a gateway restart does not close it. */
final class NonClosingStore implements Store {
  private final Store d;

  NonClosingStore(Store d) {
    this.d = d;
  }

  @Override public void saveSession(SessionRecord s) { d.saveSession(s); }
  @Override public void deleteSession(String c) { d.deleteSession(c); }
  @Override public void forEachSession(Consumer<SessionRecord> v) { d.forEachSession(v); }
  @Override public void saveMessage(String c, StoredMessage m) { d.saveMessage(c, m); }
  @Override public void deleteMessage(String c, long seq) { d.deleteMessage(c, seq); }
  @Override public List<StoredMessage> loadMessages(String c) { return d.loadMessages(c); }
  @Override public void addAwaitingRelease(String c, int id) { d.addAwaitingRelease(c, id); }
  @Override public void removeAwaitingRelease(String c, int id) { d.removeAwaitingRelease(c, id); }
  @Override public Set<Integer> loadAwaitingRelease(String c) { return d.loadAwaitingRelease(c); }
  @Override public void saveRetained(Message m) { d.saveRetained(m); }
  @Override public void deleteRetained(String t) { d.deleteRetained(t); }
  @Override public void forEachRetained(Consumer<Message> v) { d.forEachRetained(v); }
  @Override public KeyValueTable keyValueTable(String ns) { return d.keyValueTable(ns); }
  @Override public CompletionStage<Void> sync() { return d.sync(); }
  @Override public boolean durable() { return d.durable(); }
  @Override public void close() {}
}
