package io.estuary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class QueuePolicyTest {

  @Test
  void session_options_default_to_the_brokers_queue_caps_and_overflow() {
    QueuePolicy p = SessionOptions.builder().build().queue();
    assertThat(p).isEqualTo(QueuePolicy.BROKER_DEFAULT);
    assertThat(p.maxMessages()).isZero();
    assertThat(p.maxBytes()).isZero();
    assertThat(p.maxAge()).isEqualTo(Duration.ZERO);
    assertThat(p.overflow()).isEqualTo(QueuePolicy.Overflow.BROKER);
  }

  @Test
  void a_negative_cap_or_age_is_a_programming_error() {
    assertThatThrownBy(() -> new QueuePolicy(-1, 0, Duration.ZERO, QueuePolicy.Overflow.DROP_OLDEST))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxMessages");
    assertThatThrownBy(() -> QueuePolicy.BROKER_DEFAULT.withMaxBytes(-1)).hasMessageContaining("maxBytes");
    assertThatThrownBy(() -> QueuePolicy.BROKER_DEFAULT.withMaxAge(Duration.ofSeconds(-1))).hasMessageContaining("maxAge");
    assertThatThrownBy(() -> QueuePolicy.BROKER_DEFAULT.withOverflow(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void withers_change_one_field_and_the_options_carry_the_policy() {
    QueuePolicy p = QueuePolicy.BROKER_DEFAULT.withMaxMessages(10).withMaxBytes(1024)
        .withMaxAge(Duration.ofMinutes(1)).withOverflow(QueuePolicy.Overflow.BACKPRESSURE);
    assertThat(p).isEqualTo(new QueuePolicy(10, 1024, Duration.ofMinutes(1), QueuePolicy.Overflow.BACKPRESSURE));
    assertThat(SessionOptions.builder().queue(p).build().toBuilder().build().queue()).isEqualTo(p);
  }
}
