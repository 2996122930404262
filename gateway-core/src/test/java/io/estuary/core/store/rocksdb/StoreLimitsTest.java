package io.estuary.core.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.Subscription;
import io.estuary.core.config.PersistenceConfig;
import io.estuary.core.store.AsyncKeyValueSpace;
import io.estuary.core.store.SessionRecord;
import io.estuary.core.store.StoreAdmission;
import io.estuary.core.store.StoreAdmission.Work;
import io.estuary.core.store.StoreUnavailableException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** persistence.max_bytes over every kind of write, the bounded writer queue and a failing disk (issue #13). */
@Timeout(60)
class StoreLimitsTest {
  private static final long CAP = 100_000;
  private static final java.util.Random RANDOM = new java.util.Random(13);

  /** 1,000 fresh random bytes: RocksDB compresses what it flushes, and the cap is on the stored size. */
  static byte[] kb() {
    byte[] b = new byte[1000];
    RANDOM.nextBytes(b);
    return b;
  }

  @TempDir Path dir;

  RocksDbStore open(long maxBytes) {
    return RocksDbStore.open(PersistenceConfig.at(dir).withMaxBytes(maxBytes));
  }

  static SessionRecord session(String id, int subscriptions) {
    List<Subscription> subs = new java.util.ArrayList<>();
    for (int i = 0; i < subscriptions; i++) {
      subs.add(Subscription.of("some/rather/long/topic/filter/number/" + i, 1));
    }
    return new SessionRecord(id, "mqtt", null, 3600, 0, subs, null, 0);
  }

  /** Writes with {@code write(i)} until the store refuses, at most 1000 times; returns how many it took. */
  static int fillUntilRefused(RocksDbStore s, Consumer<Integer> write) {
    for (int i = 0; i < 1000; i++) {
      if (s.refusal() != null) {
        return i;
      }
      write.accept(i);
    }
    return -1;
  }

  @Test
  void retained_messages_alone_reach_max_bytes() {
    try (RocksDbStore s = open(CAP)) {
      assertThat(s.refusal()).isNull();
      int n = fillUntilRefused(s, i -> s.saveRetained(Message.of("r/" + i, Payload.copyOf(kb()), 0, true)));
      assertThat(n).isBetween(80, 101); // ~1 KB each: the cap is reached by retained data, nothing else
      assertThat(s.refusal()).isEqualTo(StoreAdmission.MAX_BYTES);
      assertThat(s.hasRoom()).isFalse();
    }
  }

  @Test
  void session_records_alone_reach_max_bytes() {
    try (RocksDbStore s = open(CAP)) {
      int n = fillUntilRefused(s, i -> s.saveSession(session("client-" + i, 20)));
      assertThat(n).isGreaterThan(10).isLessThan(1000);
      assertThat(s.refusal()).isEqualTo(StoreAdmission.MAX_BYTES);
    }
  }

  @Test
  void adapters_key_values_reach_max_bytes_and_then_their_puts_fail_while_reads_and_deletes_work() throws Exception {
    Executor exec = Executors.newSingleThreadExecutor();
    try (RocksDbStore s = open(CAP)) {
      AsyncKeyValueSpace kv = new AsyncKeyValueSpace(s.keyValueTable("mqttsn-topic-ids"), exec, s);
      int n = 0;
      while (s.refusal() == null && n < 1000) {
        kv.put("id-" + n++, kb()).toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      assertThat(n).isBetween(80, 101);
      assertThatThrownBy(() -> kv.put("one-more", kb()).toCompletableFuture().get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("max_bytes");
      assertThat(s.admission().refused(StoreAdmission.MAX_BYTES, Work.KV)).isEqualTo(1);
      assertThat(kv.get("id-0").toCompletableFuture().get(10, TimeUnit.SECONDS)).hasSize(1000);
      assertThat(kv.get("one-more").toCompletableFuture().get(10, TimeUnit.SECONDS)).isNull();
      // deletes always run, and compaction gives the space back
      assertThat(kv.deleteAll("id-").toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(n);
      s.sync().toCompletableFuture().get(10, TimeUnit.SECONDS);
      s.compactNow(); // every family: the memtables are flushed and the deleted entries dropped
      assertThat(s.refusal()).isNull();
      kv.put("again", kb()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void the_size_is_known_again_right_after_a_restart() {
    try (RocksDbStore s = open(CAP)) {
      fillUntilRefused(s, i -> s.saveRetained(Message.of("r/" + i, Payload.copyOf(kb()), 0, true)));
    }
    // memtables count a little more than the flushed files: reopen with 80 % of the cap the first run filled
    try (RocksDbStore s = open(CAP * 8 / 10)) {
      assertThat(s.estimatedBytes()).isGreaterThanOrEqualTo(CAP * 8 / 10);
      assertThat(s.refusal()).as("before any write of this run").isEqualTo(StoreAdmission.MAX_BYTES);
    }
  }

  @Test
  void a_full_writer_queue_refuses_new_work_as_busy_and_admits_it_again_once_drained() throws Exception {
    try (RocksDbStore s = RocksDbStore.open(PersistenceConfig.at(dir).withMaxPendingWrites(50, 0))) {
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Void> held = new CompletableFuture<>();
      // hold the writer thread inside a batch's callback: what is queued behind it waits
      s.writer().submit(new StoreWriter.Put(s.family(0), new byte[] {1}, new byte[] {1}, () -> {
        held.complete(null);
        await().atMost(Duration.ofSeconds(30)).until(() -> release.getCount() == 0);
      }));
      held.get(10, TimeUnit.SECONDS);
      int n = fillUntilRefused(s, i -> s.saveRetained(Message.of("r/" + i, Payload.utf8("x"), 0, true)));
      assertThat(n).isEqualTo(49); // the held put is still pending: 1 + 49 = 50
      assertThat(s.refusal()).isEqualTo(StoreAdmission.BUSY);
      assertThat(s.admit(Work.PUBLISH)).isFalse();
      assertThat(s.admission().refused(StoreAdmission.BUSY, Work.PUBLISH)).isEqualTo(1);
      s.deleteRetained("r/0"); // deletes are queued even now
      release.countDown();
      s.sync().toCompletableFuture().get(10, TimeUnit.SECONDS);
      // the writer counts a batch off its queue just after completing the batch's barriers
      await().atMost(Duration.ofSeconds(10)).until(() -> s.refusal() == null);
      assertThat(s.writer().pendingBytes()).isZero();
    }
  }

  @Test
  void a_failing_disk_refuses_new_work_until_a_write_succeeds_again() throws Exception {
    try (RocksDbStore s = open(0)) {
      s.injectWriteFailure("IO error: No space left on device");
      s.saveSession(session("a", 1));
      assertThatThrownBy(() -> s.sync().toCompletableFuture().get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(StoreUnavailableException.class).hasMessageContaining("No space left on device");
      assertThat(s.refusal()).isEqualTo(StoreAdmission.WRITE_ERROR);
      assertThat(s.admit(Work.SESSION)).isFalse();
      assertThat(s.admission().refused(StoreAdmission.WRITE_ERROR, Work.SESSION)).isEqualTo(1);
      s.injectWriteFailure(null); // the disk has room again: the maintenance probe notices within a second
      await().atMost(Duration.ofSeconds(10)).until(() -> s.refusal() == null);
      assertThat(s.admit(Work.SESSION)).isTrue();
    }
  }
}
