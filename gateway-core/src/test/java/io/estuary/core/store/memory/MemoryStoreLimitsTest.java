package io.estuary.core.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.core.store.SessionRecord;
import io.estuary.core.store.StoreAdmission;
import io.estuary.core.store.StoredMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue #13: the in-memory store (persistence off) is bounded by {@code persistence.memory_max_bytes}. */
class MemoryStoreLimitsTest {
  private static Message msg(String topic, int size) {
    return Message.of(topic, Payload.wrapOwned(new byte[size]), 1, false);
  }

  @Test
  void past_its_cap_the_store_refuses_new_persistent_work_and_counts_it_and_deleting_makes_room() {
    MemoryStore s = new MemoryStore(10_000);
    assertThat(s.refusal()).isNull();
    for (int i = 0; i < 9; i++) {
      s.saveRetained(msg("r/" + i, 1000));
    }
    assertThat(s.refusal()).as("9 KB of payloads + overhead: under 10,000").isNull();
    assertThat(s.admit(StoreAdmission.Work.RETAINED)).isTrue();
    s.saveRetained(msg("r/9", 1000));
    assertThat(s.estimatedBytes()).isGreaterThanOrEqualTo(10_000);
    assertThat(s.refusal()).isEqualTo(StoreAdmission.MAX_BYTES);
    assertThat(s.admit(StoreAdmission.Work.KV)).isFalse();
    assertThat(s.admit(StoreAdmission.Work.PUBLISH)).isFalse();
    assertThat(s.admission().refused(StoreAdmission.MAX_BYTES, StoreAdmission.Work.KV)).isEqualTo(1);
    assertThat(s.admission().refused(StoreAdmission.MAX_BYTES, StoreAdmission.Work.PUBLISH)).isEqualTo(1);
    assertThat(s.hasRoom()).isFalse();
    s.deleteRetained("r/9");
    s.deleteRetained("r/8");
    assertThat(s.refusal()).as("deleting is never refused and frees room").isNull();
    assertThat(s.admit(StoreAdmission.Work.SESSION)).isTrue();
  }

  @Test
  void every_kind_of_entry_is_accounted_and_removing_it_gives_back_exactly_what_it_took() {
    MemoryStore s = new MemoryStore(0);
    s.saveSession(new SessionRecord("c1", "mqtt", "alice", 3600, 0, List.of(), msg("will", 10), 0));
    s.saveMessage("c1", new StoredMessage(1, msg("q/1", 500), List.of(), 0, false, 0));
    s.saveMessage("c1", new StoredMessage(2, msg("q/2", 500), List.of(), 0, false, 0));
    s.addAwaitingRelease("c1", 7);
    s.keyValueTable("ns").put("k", new byte[300]);
    s.keyValueTable("ns").put("k", new byte[100]); // replaced: the old value's bytes are given back
    s.saveRetained(msg("r", 50));
    assertThat(s.estimatedBytes()).isGreaterThan(1000 + 100 + 50 + 10);
    assertThat(s.refusal()).as("0 = no cap").isNull();
    s.deleteSession("c1");
    s.keyValueTable("ns").delete("k");
    s.deleteRetained("r");
    assertThat(s.estimatedBytes()).isZero();
  }
}
