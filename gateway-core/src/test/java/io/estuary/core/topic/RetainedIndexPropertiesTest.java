package io.estuary.core.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.topic.Topics;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The retained index answers a subscribe exactly as the linear scan it replaced ({@link Topics#matches} over
 * every retained topic) did, for random topic sets, removals and filters, {@code $}-topics and empty levels
 * included. Checked to fail with a planted bug ({@code +} at the first level matching {@code $SYS}).
 */
class RetainedIndexPropertiesTest {

  @Property(tries = 1000)
  void the_index_finds_exactly_the_topics_the_linear_scan_finds(@ForAll("topicSets") List<String> topics,
      @ForAll("topicSets") List<String> removed, @ForAll("filters") String filter) {
    RetainedIndex index = new RetainedIndex();
    Set<String> held = new HashSet<>();
    for (String t : topics) {
      index.put(Message.of(t, Payload.utf8("x"), 0, true));
      held.add(t);
    }
    for (String t : removed) {
      assertThat(index.remove(t) != null).as("remove %s", t).isEqualTo(held.remove(t));
    }
    Set<String> found = new HashSet<>();
    index.match(filter, m -> assertThat(found.add(m.topic())).as("%s visited once", m.topic()).isTrue());
    Set<String> expected = new HashSet<>();
    for (String t : held) {
      if (Topics.matches(filter, t)) {
        expected.add(t);
      }
    }
    assertThat(found).as("%s ~ %s", filter, held).isEqualTo(expected);
    assertThat(index.size()).isEqualTo(held.size());
    for (String t : held) {
      assertThat(index.get(t)).isNotNull();
    }
    Set<String> all = new HashSet<>();
    index.forEach(m -> all.add(m.topic()));
    assertThat(all).isEqualTo(held);
  }

  @Provide
  Arbitrary<List<String>> topicSets() {
    return Arbitraries.of("a", "b", "", "$SYS", "$x").list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("/", l))
        .filter(t -> Topics.checkName(t, 128) == null)
        .list().ofMinSize(0).ofMaxSize(12);
  }

  @Provide
  Arbitrary<String> filters() {
    return Arbitraries.of("a", "b", "", "$SYS", "+", "#").list().ofMinSize(1).ofMaxSize(5).map(l -> String.join("/", l))
        .filter(f -> Topics.checkFilter(f) == null);
  }
}
