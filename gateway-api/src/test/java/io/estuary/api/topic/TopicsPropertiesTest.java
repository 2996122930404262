package io.estuary.api.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link Topics} against a brute-force reference written from the spec text (MQTT 5 §4.7): split
 * both into levels and compare level by level. Levels come from a small alphabet so that matches are
 * frequent, including empty levels and {@code $} topics.
 */
class TopicsPropertiesTest {
  private static final String[] NAME_LEVELS = {"a", "b", "", "$SYS", "$x"};
  private static final String[] FILTER_LEVELS = {"a", "b", "", "$SYS", "+", "#"};

  @Property(tries = 3000)
  void matches_agrees_with_the_reference(@ForAll("filters") String filter, @ForAll("names") String topic) {
    assertThat(Topics.matches(filter, topic)).as("%s ~ %s", filter, topic).isEqualTo(reference(filter, topic));
  }

  @Property(tries = 1000)
  void a_shared_subscription_matches_as_its_filter(@ForAll("filters") String filter, @ForAll("names") String topic) {
    assertThat(Topics.matchesSubscription("$share/g/" + filter, topic)).isEqualTo(reference(filter, topic));
  }

  @Property(tries = 1000)
  void overlaps_means_some_topic_matches_both(@ForAll("plainFilters") String a, @ForAll("plainFilters") String b) {
    boolean some = false;
    for (String t : universe()) {
      if (reference(a, t) && reference(b, t)) {
        some = true;
        break;
      }
    }
    assertThat(Topics.overlaps(a, b)).as("%s overlaps %s", a, b).isEqualTo(some);
  }

  @Property(tries = 1000)
  void mounting_a_filter_then_matching_equals_matching_the_unmounted_topic(
      @ForAll("filters") String filter, @ForAll("names") String topic) {
    Mountpoint mp = Mountpoint.of("site/");
    String mounted = mp.mountFilter("$share/g/" + filter);
    assertThat(mounted).startsWith("$share/g/site/");
    assertThat(Topics.matchesSubscription(mounted, mp.mountTopic(topic)))
        .isEqualTo(reference("site/" + filter, "site/" + topic));
    assertThat(mp.unmount(mp.mountTopic(topic))).isEqualTo(topic);
  }

  /** The spec, spelled out: level lists, "+" one level, "#" the rest (including none), $ hidden from leading wildcards. */
  static boolean reference(String filter, String topic) {
    String[] f = filter.split("/", -1);
    String[] t = topic.split("/", -1);
    if (topic.startsWith("$") && (f[0].equals("+") || f[0].equals("#"))) {
      return false;
    }
    for (int i = 0; i < f.length; i++) {
      if (f[i].equals("#")) {
        return i == f.length - 1 && i <= t.length;
      }
      if (i >= t.length) {
        return false;
      }
      if (!f[i].equals("+") && !f[i].equals(t[i])) {
        return false;
      }
    }
    return f.length == t.length;
  }

  private static List<String> universe() {
    String[] alphabet = {"a", "b", "", "c"};
    List<String> out = new ArrayList<>(List.of(alphabet));
    List<String> last = List.of(alphabet);
    for (int depth = 2; depth <= 5; depth++) {
      List<String> next = new ArrayList<>();
      for (String prefix : last) {
        for (String l : alphabet) {
          next.add(prefix + "/" + l);
        }
      }
      out.addAll(next);
      last = next;
    }
    return out;
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.of(NAME_LEVELS).list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("/", l));
  }

  @Provide
  Arbitrary<String> filters() {
    return Arbitraries.of(FILTER_LEVELS).list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("/", l))
        .filter(f -> Topics.checkFilter(f) == null);
  }

  @Provide
  Arbitrary<String> plainFilters() {
    return Arbitraries.of("a", "b", "", "+", "#").list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("/", l))
        .filter(f -> Topics.checkFilter(f) == null);
  }
}
