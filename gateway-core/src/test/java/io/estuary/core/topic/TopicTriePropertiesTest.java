package io.estuary.core.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.topic.Topics;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The subscription trie finds exactly the filters {@link Topics#matches} accepts (gateway-api checks that one against the spec). */
class TopicTriePropertiesTest {

  @Property(tries = 500)
  void the_trie_finds_exactly_the_matching_filters(@ForAll("filterSets") List<String> filters, @ForAll("names") String topic) {
    TopicTrie<String> trie = new TopicTrie<>();
    for (int i = 0; i < filters.size(); i++) {
      trie.add(filters.get(i), "c" + i, null, filters.get(i));
    }
    Set<String> found = new HashSet<>();
    trie.match(topic, (id, f, g) -> found.add(id));
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < filters.size(); i++) {
      if (Topics.matches(filters.get(i), topic)) {
        expected.add("c" + i);
      }
    }
    assertThat(found).as("%s ~ %s", filters, topic).isEqualTo(expected);
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.of("a", "b", "", "$SYS").list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("/", l));
  }

  @Provide
  Arbitrary<List<String>> filterSets() {
    return Arbitraries.of("a", "b", "", "$SYS", "+", "#").list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("/", l))
        .filter(f -> Topics.checkFilter(f) == null).list().ofMinSize(1).ofMaxSize(8);
  }
}
