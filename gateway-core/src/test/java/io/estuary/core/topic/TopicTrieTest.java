package io.estuary.core.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.topic.Topics;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicTrieTest {

  @ParameterizedTest
  @CsvSource({
      "a/b/c, a/b/c, true",
      "a/+/c, a/b/c, true",
      "a/#, a/b/c, true",
      "a/#, a, true",
      "#, a/b, true",
      "+, a, true",
      "+, a/b, false",
      "+/+, /a, true",
      "a/+, a/, true",
      "a/b, a/b/c, false",
      "#, $SYS/x, false",
      "+/x, $SYS/x, false",
      "$SYS/#, $SYS/x, true",
      "a/+/#, a/b, true",
  })
  void the_trie_matches_as_the_topic_rules_do(String filter, String topic, boolean expected) {
    assertThat(Topics.matches(filter, topic)).isEqualTo(expected);
    TopicTrie<String> trie = new TopicTrie<>();
    trie.add(filter, "c", null, "s");
    List<String> hits = new ArrayList<>();
    trie.match(topic, (id, s, g) -> hits.add(id));
    assertThat(!hits.isEmpty()).as("trie agrees for %s ~ %s", filter, topic).isEqualTo(expected);
  }

  @Test
  void trie_remove_prunes_and_shared_groups_are_reported() {
    TopicTrie<String> trie = new TopicTrie<>();
    trie.add("a/b", "c1", null, "s1");
    trie.add("a/+", "c2", "g", "s2");
    List<String> hits = new ArrayList<>();
    trie.match("a/b", (id, s, g) -> hits.add(id + ":" + g));
    assertThat(hits).containsExactlyInAnyOrder("c1:null", "c2:g");
    assertThat(trie.remove("a/b", "c1", null)).isTrue();
    assertThat(trie.remove("a/b", "c1", null)).isFalse();
    hits.clear();
    trie.match("a/b", (id, s, g) -> hits.add(id));
    assertThat(hits).containsExactly("c2");
  }
}
