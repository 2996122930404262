package io.estuary.uplink.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicMatcherTest {
  @Test
  void matches_single_and_multi_level_wildcards() {
    assertThat(TopicMatcher.matches("devices/#", "devices/a/temp")).isTrue();
    assertThat(TopicMatcher.matches("devices/#", "devices")).isTrue();
    assertThat(TopicMatcher.matches("devices/+/temp", "devices/a/temp")).isTrue();
    assertThat(TopicMatcher.matches("devices/+/temp", "devices/a/b/temp")).isFalse();
    assertThat(TopicMatcher.matches("devices/a", "devices/a/b")).isFalse();
  }

  @Test
  void dollar_topics_do_not_match_leading_wildcards() {
    assertThat(TopicMatcher.matches("#", "$SYS/x")).isFalse();
    assertThat(TopicMatcher.matches("$SYS/#", "$SYS/x")).isTrue();
  }

  @Test
  void overlapping_filters_share_a_topic() {
    assertThat(TopicMatcher.overlaps("site1/#", "site1/cmd/#")).isTrue();
    assertThat(TopicMatcher.overlaps("site1/up/#", "site1/cmd/#")).isFalse();
    assertThat(TopicMatcher.overlaps("a/+/c", "a/b/+")).isTrue();
    assertThat(TopicMatcher.overlaps("a/#", "a")).isTrue();
    assertThat(TopicMatcher.overlaps("a/b", "a/b/c")).isFalse();
  }

  @Test
  void checkFilter_rejects_partial_level_wildcards() {
    assertThat(TopicMatcher.checkFilter("a/b#")).isNotNull();
    assertThat(TopicMatcher.checkFilter("a/#/b")).isNotNull();
    assertThat(TopicMatcher.checkFilter("")).isNotNull();
    assertThat(TopicMatcher.checkFilter("a/+/#")).isNull();
  }
}
