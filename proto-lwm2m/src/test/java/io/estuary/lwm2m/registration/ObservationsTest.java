package io.estuary.lwm2m.registration;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.lwm2m.mapping.CommandParser;
import io.estuary.lwm2m.mapping.ParseResult;
import io.estuary.lwm2m.persistence.ObservationJournal;
import io.estuary.testkit.MemoryKeyValueSpace;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Observations read back from the store: those stored before paths were taken in Leshan's form. */
class ObservationsTest {
  private static final String COMMAND = "{\"reqID\":7,\"msgType\":\"observe\",\"data\":{\"path\":\"%s\"}}";

  private static ObservationJournal.Entry stored(String key, String path) {
    return new ObservationJournal.Entry(key, "ep",
        String.format(COMMAND, path).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void an_observation_stored_under_a_path_s_old_spelling_is_moved_to_its_key_and_counted_once() {
    MemoryKeyValueSpace kv = new MemoryKeyValueSpace();
    ObservationJournal journal = new ObservationJournal(kv);
    String old = ObservationJournal.key("ep", false, "3/0/0");
    String older = ObservationJournal.key("ep", false, "/3/0/0/");
    kv.put(old, "{\"command\":{}}".getBytes(StandardCharsets.UTF_8));
    kv.put(older, "{\"command\":{}}".getBytes(StandardCharsets.UTF_8));
    Observations o = new Observations("ep", journal);
    o.restore(List.of(stored(old, "3/0/0"), stored(older, "/3/0/0/")));

    String now = ObservationJournal.key("ep", false, "/3/0/0");
    assertThat(kv.entries().keySet()).containsExactly(now);
    assertThat(o.count()).isEqualTo(1);
    var cmd = ((ParseResult.Parsed) CommandParser.parse(String.format(COMMAND, "/3/0/0")
        .getBytes(StandardCharsets.UTF_8))).command();
    assertThat(o.isStored(cmd)).as("found by the key a cancel or a resume computes").isTrue();
    o.cancelled(cmd);
    assertThat(kv.entries()).isEmpty();
    assertThat(o.count()).isZero();
  }
}
