package io.estuary.core.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.Subscription;
import io.estuary.core.config.ConfigError;
import io.estuary.core.config.PersistenceConfig;
import io.estuary.core.store.KeyValueTable;
import io.estuary.core.store.SessionRecord;
import io.estuary.core.store.StoredMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

@Timeout(60)
class RocksDbStoreTest {
  @TempDir Path dir;

  RocksDbStore open() {
    return RocksDbStore.open(PersistenceConfig.at(dir));
  }

  static StoredMessage queued(long seq, String body) {
    return new StoredMessage(seq, Message.of("t/" + seq, Payload.utf8(body), 1, false), List.of(), 0, false);
  }

  static SessionRecord session(String id) {
    return new SessionRecord(id, "mqtt", null, 3600, 0, List.of(Subscription.of("t/#", 1)), null, 0);
  }

  @Test
  void a_qos2_publish_whose_commit_was_not_written_is_rolled_back_on_reopen() throws Exception {
    try (RocksDbStore s = open()) {
      s.saveSession(session("pub"));
      s.saveSession(session("sub1"));
      s.saveSession(session("sub2"));
      // publish A: marker, both copies, commit -> kept
      s.markRouting("pub", 1, 111);
      s.saveMessage("sub1", tagged(1, "A", 111));
      s.saveMessage("sub2", tagged(1, "A", 111));
      s.addAwaitingRelease("pub", 1);
      // publish B: marker and one copy, then the crash: no commit -> rolled back
      s.markRouting("pub", 2, 222);
      s.saveMessage("sub1", tagged(2, "B", 222));
      // an untagged QoS 1 message queued after it is not touched
      s.saveMessage("sub1", queued(3, "C"));
      s.sync().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    try (RocksDbStore s = open()) {
      assertThat(s.loadAwaitingRelease("pub")).containsExactly(1);
      assertThat(s.loadMessages("sub1")).extracting(m -> m.message().payload().asUtf8()).containsExactly("A", "C");
      assertThat(s.loadMessages("sub2")).extracting(m -> m.message().payload().asUtf8()).containsExactly("A");
      assertThat(s.loadMessages("sub1").get(0).routingTag()).isEqualTo(111);
      s.sync().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    try (RocksDbStore s = open()) { // the roll-back was written: a second reopen sees the same state
      assertThat(s.loadAwaitingRelease("pub")).containsExactly(1);
      assertThat(s.loadMessages("sub1")).extracting(m -> m.message().payload().asUtf8()).containsExactly("A", "C");
    }
  }

  static StoredMessage tagged(long seq, String body, long tag) {
    return new StoredMessage(seq, Message.of("t/" + seq, Payload.utf8(body), 2, false), List.of(), 0, false, tag);
  }

  @Test
  void everything_written_is_read_back_after_reopening() throws Exception {
    try (RocksDbStore s = open()) {
      s.saveSession(session("a"));
      s.saveSession(session("ab")); // a prefix of another client id must not leak into its ranges
      for (int i = 1; i <= 5; i++) {
        s.saveMessage("a", queued(i, "m" + i));
      }
      s.saveMessage("ab", queued(1, "other"));
      s.saveMessage("a", queued(2, "m2").sent(7).releasedState());
      s.deleteMessage("a", 1);
      s.addAwaitingRelease("a", 10);
      s.addAwaitingRelease("a", 65535);
      s.removeAwaitingRelease("a", 10);
      s.saveRetained(Message.of("r/1", Payload.utf8("kept"), 1, true));
      s.saveRetained(Message.of("r/2", Payload.utf8("gone"), 1, true));
      s.deleteRetained("r/2");
      s.keyValueTable("mqttsn").put("1:a:3", new byte[] {1, 2});
      s.sync().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    try (RocksDbStore s = open()) {
      List<String> ids = new ArrayList<>();
      s.forEachSession(r -> ids.add(r.clientId()));
      assertThat(ids).containsExactlyInAnyOrder("a", "ab");
      List<StoredMessage> a = s.loadMessages("a");
      assertThat(a).extracting(StoredMessage::seq).containsExactly(2L, 3L, 4L, 5L);
      assertThat(a.get(0).packetId()).isEqualTo(7);
      assertThat(a.get(0).released()).isTrue();
      assertThat(s.loadMessages("ab")).extracting(m -> m.message().payload().asUtf8()).containsExactly("other");
      assertThat(s.loadAwaitingRelease("a")).containsExactly(65535);
      List<String> retained = new ArrayList<>();
      s.forEachRetained(m -> retained.add(m.topic()));
      assertThat(retained).containsExactly("r/1");
      assertThat(s.keyValueTable("mqttsn").get("1:a:3")).containsExactly(1, 2);
    }
  }

  @Test
  void deleting_a_session_removes_its_messages_and_awaiting_release_ids_only() throws Exception {
    try (RocksDbStore s = open()) {
      s.saveSession(session("a"));
      s.saveSession(session("ab"));
      s.saveMessage("a", queued(1, "x"));
      s.saveMessage("ab", queued(1, "y"));
      s.addAwaitingRelease("a", 1);
      s.deleteSession("a");
      s.sync().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(s.loadMessages("a")).isEmpty();
      assertThat(s.loadAwaitingRelease("a")).isEmpty();
      assertThat(s.loadMessages("ab")).hasSize(1);
    }
  }

  @Test
  void key_value_space_reads_its_own_writes_before_they_are_applied() {
    try (RocksDbStore s = open()) {
      KeyValueTable kv = s.keyValueTable("ns");
      KeyValueTable other = s.keyValueTable("ns2");
      for (int i = 0; i < 1000; i++) {
        kv.put("k" + i, new byte[] {(byte) i});
        assertThat(kv.get("k" + i)).containsExactly((byte) i);
      }
      other.put("k1", new byte[] {9});
      kv.delete("k1");
      assertThat(kv.get("k1")).isNull();
      assertThat(kv.scan("k1").keySet()).hasSize(110).doesNotContain("k1").contains("k10", "k199");
      assertThat(other.scan("").keySet()).containsExactly("k1");
    }
  }

  @Test
  void a_corrupt_record_is_counted_and_skipped_and_the_rest_loads() throws Exception {
    try (RocksDbStore s = open()) {
      s.saveSession(session("good"));
      s.saveMessage("good", queued(1, "one"));
      s.saveMessage("good", queued(2, "two"));
      s.saveMessage("good", queued(3, "three"));
      s.saveRetained(Message.of("r", Payload.utf8("x"), 0, true));
    }
    corrupt("messages", Keys.message("good", 2), new byte[] {1, 2, 3, 4, 5, 6, 7});
    corrupt("sessions", Keys.utf8("bad"), RecordCodec.encodeQueued(queued(1, "not a session")));
    corrupt("retained", Keys.utf8("r2"), new byte[0]);
    try (RocksDbStore s = open()) {
      List<String> ids = new ArrayList<>();
      s.forEachSession(r -> ids.add(r.clientId()));
      assertThat(ids).containsExactly("good");
      assertThat(s.loadMessages("good")).extracting(StoredMessage::seq).containsExactly(1L, 3L);
      List<String> topics = new ArrayList<>();
      s.forEachRetained(m -> topics.add(m.topic()));
      assertThat(topics).containsExactly("r");
      assertThat(s.corruptRecords()).isEqualTo(3);
    }
  }

  @Test
  void a_second_open_of_the_same_directory_fails_fast_naming_it() {
    try (RocksDbStore s = open()) {
      assertThatThrownBy(this::open).isInstanceOf(ConfigError.class)
          .hasMessageContaining("persistence.dir").hasMessageContaining(dir.toAbsolutePath().toString())
          .hasMessageContaining("in use by another Estuary process");
    }
  }

  @Test
  void over_max_bytes_the_store_reports_no_room_and_compaction_gives_it_back() throws Exception {
    try (RocksDbStore s = RocksDbStore.open(PersistenceConfig.at(dir).withMaxBytes(200_000))) {
      assertThat(s.hasRoom()).isTrue();
      byte[] big = new byte[1000];
      for (int i = 1; i <= 400; i++) {
        s.saveMessage("c", new StoredMessage(i, Message.of("t", Payload.copyOf(big), 1, false), List.of(), 0, false));
      }
      assertThat(s.hasRoom()).isFalse();
      for (int i = 1; i <= 400; i++) {
        s.deleteMessage("c", i);
      }
      s.sync().toCompletableFuture().get(10, TimeUnit.SECONDS);
      s.compactNow();
      await().atMost(Duration.ofSeconds(10)).until(s::hasRoom);
      assertThat(s.compactions()).isEqualTo(1);
    }
  }

  @Test
  void sync_always_completes_the_barrier_after_the_batch_is_written() throws Exception {
    try (RocksDbStore s = RocksDbStore.open(PersistenceConfig.at(dir).withSync(PersistenceConfig.Sync.ALWAYS))) {
      for (int i = 1; i <= 100; i++) {
        s.saveMessage("c", queued(i, "m"));
      }
      s.sync().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(s.loadMessages("c")).hasSize(100);
      assertThat(s.loadAwaitingRelease("c")).isEqualTo(Set.of());
    }
  }

  /** Writes a raw value with plain RocksDB, as a damaged disk or an old bug would have left it. */
  void corrupt(String cf, byte[] key, byte[] value) throws Exception {
    List<ColumnFamilyDescriptor> ds = new ArrayList<>();
    ds.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY));
    for (String n : List.of("sessions", "messages", "awaiting_rel", "retained", "kv")) {
      ds.add(new ColumnFamilyDescriptor(Keys.utf8(n)));
    }
    List<ColumnFamilyHandle> hs = new ArrayList<>();
    try (DBOptions o = new DBOptions(); RocksDB db = RocksDB.open(o, dir.toString(), ds, hs)) {
      int i = List.of("default", "sessions", "messages", "awaiting_rel", "retained", "kv").indexOf(cf);
      db.put(hs.get(i), key, value);
      hs.forEach(ColumnFamilyHandle::close);
    }
  }
}
