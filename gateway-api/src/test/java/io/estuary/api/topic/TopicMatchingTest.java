package io.estuary.api.topic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The uplink's former TopicMatcher cases, now on the one implementation. */
class TopicMatchingTest {
  @Test
  void matches_single_and_multi_level_wildcards() {
    assertThat(Topics.matches("devices/#", "devices/a/temp")).isTrue();
    assertThat(Topics.matches("devices/#", "devices")).isTrue();
    assertThat(Topics.matches("devices/+/temp", "devices/a/temp")).isTrue();
    assertThat(Topics.matches("devices/+/temp", "devices/a/b/temp")).isFalse();
    assertThat(Topics.matches("devices/a", "devices/a/b")).isFalse();
  }

  @Test
  void matches_agrees_with_a_level_by_level_reference_on_every_combination() {
    String[] levels = {"a", "b", "", "+", "#"};
    java.util.List<String> names = new java.util.ArrayList<>();
    java.util.List<String> filters = new java.util.ArrayList<>();
    for (String x : levels) {
      filters.add(x);
      for (String y : levels) {
        filters.add(x + "/" + y);
        for (String z : levels) {
          filters.add(x + "/" + y + "/" + z);
        }
      }
    }
    for (String f : filters) {
      if (!f.contains("+") && !f.contains("#")) {
        names.add(f);
      }
    }
    for (String f : filters) {
      if (Topics.checkFilter(f) != null && !f.isEmpty()) {
        continue;
      }
      for (String t : names) {
        assertThat(Topics.matches(f, t)).as("%s matches %s", f, t).isEqualTo(reference(f, t));
      }
    }
  }

  private static boolean reference(String filter, String topic) {
    String[] f = filter.split("/", -1);
    String[] t = topic.split("/", -1);
    for (int i = 0; i < f.length; i++) {
      if (f[i].equals("#")) {
        return true;
      }
      if (i >= t.length || !f[i].equals("+") && !f[i].equals(t[i])) {
        return false;
      }
    }
    return f.length == t.length;
  }

  @Test
  void dollar_topics_do_not_match_leading_wildcards() {
    assertThat(Topics.matches("#", "$SYS/x")).isFalse();
    assertThat(Topics.matches("$SYS/#", "$SYS/x")).isTrue();
  }

  @Test
  void overlapping_filters_share_a_topic() {
    assertThat(Topics.overlaps("site1/#", "site1/cmd/#")).isTrue();
    assertThat(Topics.overlaps("site1/up/#", "site1/cmd/#")).isFalse();
    assertThat(Topics.overlaps("a/+/c", "a/b/+")).isTrue();
    assertThat(Topics.overlaps("a/#", "a")).isTrue();
    assertThat(Topics.overlaps("a/b", "a/b/c")).isFalse();
  }

  @Test
  void checkFilter_rejects_partial_level_wildcards() {
    assertThat(Topics.checkFilter("a/b#")).isNotNull();
    assertThat(Topics.checkFilter("a/#/b")).isNotNull();
    assertThat(Topics.checkFilter("")).isNotNull();
    assertThat(Topics.checkFilter("a/+/#")).isNull();
  }
}
