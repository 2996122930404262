package io.estuary.lwm2m.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.estuary.testkit.MemoryKeyValueSpace;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObservationJournalTest {
  private final MemoryKeyValueSpace kv = new MemoryKeyValueSpace();

  @Test
  void a_stored_observation_comes_back_by_endpoint_and_unreadable_records_are_dropped() throws Exception {
    ObservationJournal j = new ObservationJournal(kv);
    ObjectNode cmd = (ObjectNode) new ObjectMapper().readTree(
        "{\"reqID\":9,\"msgType\":\"observe\",\"data\":{\"path\":\"/3/0/0\"}}");
    j.save(ObservationJournal.key("ep1", false, "/3/0/0"), cmd);
    j.save(ObservationJournal.key("ep2", true, "/1/0/1,/3/0/0"), cmd);
    kv.put("obs/ep3", "junk".getBytes(StandardCharsets.UTF_8)).toCompletableFuture().join();
    kv.put("obs/ep4/s:/1", "{not json".getBytes(StandardCharsets.UTF_8)).toCompletableFuture().join();

    Map<String, List<ObservationJournal.Entry>> loaded = j.load().toCompletableFuture().join();
    assertThat(loaded).containsOnlyKeys("ep1", "ep2");
    assertThat(loaded.get("ep1").get(0).key()).isEqualTo("obs/ep1/s:/3/0/0");
    assertThat(new String(loaded.get("ep1").get(0).command(), StandardCharsets.UTF_8)).contains("\"reqID\":9");
    assertThat(loaded.get("ep2").get(0).key()).isEqualTo("obs/ep2/c:/1/0/1,/3/0/0");
    assertThat(kv.scan("obs/").toCompletableFuture().join()).containsOnlyKeys("obs/ep1/s:/3/0/0", "obs/ep2/c:/1/0/1,/3/0/0");
  }

  @Test
  void a_frozen_journal_writes_nothing() {
    ObservationJournal j = new ObservationJournal(kv);
    j.save(ObservationJournal.key("ep1", false, "/3/0/0"), new ObjectMapper().createObjectNode());
    j.freeze();
    j.remove(ObservationJournal.key("ep1", false, "/3/0/0"));
    j.save(ObservationJournal.key("ep2", false, "/3/0/0"), new ObjectMapper().createObjectNode());
    assertThat(kv.scan("obs/").toCompletableFuture().join()).containsOnlyKeys("obs/ep1/s:/3/0/0");
  }
}
