package io.estuary.api.topic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicsTest {

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
  void matches_follows_mqtt_rules(String filter, String topic, boolean expected) {
    assertThat(Topics.matches(filter, topic)).isEqualTo(expected);
  }

  @Test
  void filter_validation_rejects_misplaced_wildcards() {
    assertThat(Topics.checkFilter("a/#/b", 10)).isNotNull();
    assertThat(Topics.checkFilter("a/b#", 10)).isNotNull();
    assertThat(Topics.checkFilter("a+/b", 10)).isNotNull();
    assertThat(Topics.checkFilter("a/+/b/#", 10)).isNull();
    assertThat(Topics.checkFilter("a/b/c", 2)).isNotNull();
  }

  @Test
  void topic_names_reject_wildcards_and_nul() {
    assertThat(Topics.checkName("a/+", 10)).isNotNull();
    assertThat(Topics.checkName("a\u0000b", 10)).isNotNull();
    assertThat(Topics.checkName("", 10)).isNotNull();
    assertThat(Topics.checkName("a/b", 10)).isNull();
  }

  @Test
  void share_prefix_is_parsed() {
    assertThat(Topics.parse("$share/g/a/+")).isEqualTo(new Topics.Parsed("g", "a/+"));
    assertThat(Topics.parse("$share/g")).isNull();
    assertThat(Topics.parse("$share//a")).isNull();
    assertThat(Topics.parse("$share/g+/a")).isNull();
    assertThat(Topics.parse("a/b")).isEqualTo(new Topics.Parsed(null, "a/b"));
  }

  @Test
  void a_subscription_matches_through_its_share_prefix() {
    assertThat(Topics.matchesSubscription("$share/g/a/+", "a/b")).isTrue();
    assertThat(Topics.matchesSubscription("$share/g/a/+", "x/b")).isFalse();
    assertThat(Topics.matchesSubscription("$share/g", "g")).isFalse();
    assertThat(Topics.matchesSubscription("a/#", "a")).isTrue();
  }
}
