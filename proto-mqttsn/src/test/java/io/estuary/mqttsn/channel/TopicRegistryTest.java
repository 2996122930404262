package io.estuary.mqttsn.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A client's topic-id table: capped at max_topic_ids, and a new id costs O(1) (no copy of the table). */
class TopicRegistryTest {

  @Test
  void ids_beyond_max_topic_ids_are_refused_and_known_names_keep_theirs() {
    TopicRegistry r = new TopicRegistry(2);
    int a = r.idFor("a/1");
    int b = r.idFor("a/2");
    assertThat(r.idFor("a/3")).isEqualTo(-1);
    assertThat(r.idFor("a/1")).isEqualTo(a);
    r.remove("a/2");
    assertThat(r.idFor("a/3")).isPositive().isNotEqualTo(a);
    assertThat(r.snapshot()).containsOnlyKeys("a/1", "a/3");
    assertThat(b).isPositive();
  }

  @Test
  void ids_loaded_from_the_store_are_capped_too() {
    Map<Integer, String> stored = new HashMap<>();
    for (int i = 1; i <= 10; i++) {
      stored.put(i, "s/" + i);
    }
    TopicRegistry r = new TopicRegistry(4);
    r.load(stored);
    assertThat(r.size()).isEqualTo(4);
    assertThat(r.idFor("new/one")).isEqualTo(-1);
  }

  @Test
  // the former copy on every registration took more than 8 minutes here for a full table (about 2e9 entry copies)
  @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void a_full_table_of_65534_ids_is_built_in_linear_time() {
    TopicRegistry r = new TopicRegistry(TopicRegistry.MAX_ID);
    for (int i = 0; i < TopicRegistry.MAX_ID; i++) {
      assertThat(r.idFor("t/" + i)).isPositive();
    }
    assertThat(r.idFor("one/more")).isEqualTo(-1);
    assertThat(r.snapshot()).hasSize(TopicRegistry.MAX_ID);
  }

  @Test
  void a_randomised_table_starts_where_the_generator_says_follows_on_and_wraps_after_the_last_id() {
    TopicRegistry r = new TopicRegistry(10);
    r.randomise(bound -> bound - 2); // the place drawn: 1 + (MAX_ID - 2) = MAX_ID - 1
    assertThat(r.idFor("a")).isEqualTo(TopicRegistry.MAX_ID - 1);
    assertThat(r.idFor("b")).isEqualTo(TopicRegistry.MAX_ID);
    assertThat(r.idFor("c")).isEqualTo(1);
    r.clear(); // a clean re-CONNECT: drawn again
    r.randomise(bound -> 41);
    assertThat(r.idFor("d")).isEqualTo(42);
    r.randomise(null); // proven: the next table counts from 1 again
    r.clear();
    assertThat(r.idFor("e")).isEqualTo(1);
  }
}
