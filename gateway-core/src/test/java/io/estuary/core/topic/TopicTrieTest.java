package io.estuary.core.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The trie's bookkeeping; that it matches as {@code Topics.matches} does is TopicTriePropertiesTest's. */
class TopicTrieTest {

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
