package io.estuary.uplink.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CatchupLimiterTest {
  static final long SECOND = 1_000_000_000L;

  @Test
  void zero_rate_never_limits_but_still_tracks_catch_up() {
    CatchupLimiter l = new CatchupLimiter(0);
    l.reconnected(1000, 0);
    assertThat(l.catchingUp()).isTrue();
    assertThat(l.limiting()).isFalse();
    assertThat(l.budget(0)).isEqualTo(Integer.MAX_VALUE);
    l.drained();
    assertThat(l.catchingUp()).isFalse();
  }

  @Test
  void a_drained_backlog_ends_catch_up_without_live_traffic() {
    CatchupLimiter l = new CatchupLimiter(10);
    l.reconnected(1000, 0);
    l.observed(999);
    assertThat(l.limiting()).isTrue();
    l.drained();
    assertThat(l.catchingUp()).isFalse();
    assertThat(l.limiting()).isFalse();
    assertThat(l.budget(0)).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void limits_the_backlog_to_the_rate_and_ends_with_live_traffic() {
    CatchupLimiter l = new CatchupLimiter(10);
    l.reconnected(1000, 0);
    l.observed(999); // queued before the reconnect
    assertThat(l.catchingUp()).isTrue();
    int first = l.budget(0);
    assertThat(first).isLessThanOrEqualTo(1);
    l.consumed(first);
    assertThat(l.budget(SECOND / 2)).isEqualTo(5);
    l.consumed(5);
    assertThat(l.budget(SECOND / 2)).isZero();
    assertThat(l.nanosUntilNext()).isPositive();
    assertThat(l.budget(10 * SECOND)).as("the bucket holds one second").isEqualTo(10);
    l.observed(1000); // created after the reconnect: the backlog is drained
    assertThat(l.catchingUp()).isFalse();
    assertThat(l.budget(10 * SECOND)).isEqualTo(Integer.MAX_VALUE);
  }
}
