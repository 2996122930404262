package io.estuary.api.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteSizeTest {
  @Test
  void units_are_1024_based_and_case_insensitive_as_in_emqx() {
    assertThat(ByteSize.parse("65536")).isEqualTo(65_536);
    assertThat(ByteSize.parse("64KB")).isEqualTo(65_536);
    assertThat(ByteSize.parse("64kb")).isEqualTo(65_536);
    assertThat(ByteSize.parse("64K")).isEqualTo(65_536);
    assertThat(ByteSize.parse("64KiB")).isEqualTo(65_536);
    assertThat(ByteSize.parse("1MB")).isEqualTo(1_048_576);
    assertThat(ByteSize.parse(" 1 mb ")).isEqualTo(1_048_576);
    assertThat(ByteSize.parse("2GB")).isEqualTo(2L << 30);
    assertThat(ByteSize.parse("7B")).isEqualTo(7);
    assertThat(ByteSize.parse("0")).isZero();
    // the same scale as a rate's size
    assertThat(Rate.parse("64KB/s").amount()).isEqualTo(ByteSize.parse("64KB"));
  }

  @Test
  void anything_else_is_refused_with_the_text() {
    for (String bad : new String[] {"", "KB", "1.5MB", "-1", "12XB", "1TB", "1 MB/s", "99999999999GB", "1e6"}) {
      assertThatThrownBy(() -> ByteSize.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(bad.trim().isEmpty() ? "not a size" : bad);
    }
  }
}
