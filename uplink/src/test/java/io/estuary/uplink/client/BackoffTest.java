package io.estuary.uplink.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  final Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(2));

  @Test
  void doubles_per_attempt_up_to_max_without_jitter() {
    assertThat(b.delay(0, () -> 0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(b.delay(3, () -> 0)).isEqualTo(Duration.ofSeconds(8));
    assertThat(b.delay(40, () -> 0)).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void jitter_takes_off_up_to_half_but_never_goes_below_min() {
    assertThat(b.delay(3, () -> 0.999)).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(5));
    assertThat(b.delay(0, () -> 0.999)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void max_below_min_is_refused() {
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
  }
}
