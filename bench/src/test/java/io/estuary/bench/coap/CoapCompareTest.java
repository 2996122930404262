package io.estuary.bench.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoapCompareTest {

  @Test
  void durations_and_options_parse_like_the_script_passes_them() {
    assertThat(CoapCompare.duration("15s")).isEqualTo(Duration.ofSeconds(15));
    assertThat(CoapCompare.duration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(CoapCompare.duration("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(CoapCompare.options(new String[] {"--clients", "8", "--types", "con"}))
        .containsEntry("clients", "8").containsEntry("types", "con");
    assertThatThrownBy(() -> CoapCompare.options(new String[] {"--clients"})).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void table_shows_the_median_round_and_the_ratio_to_the_bare_server_of_the_same_type() {
    List<CoapCompare.Row> rows = List.of(
        new CoapCompare.Row("CON", "bare californium", new CoapLoad.Counts(20_000, 0, 0, -1, 1.0), 5, 10),
        new CoapCompare.Row("CON", "estuary (peers_mark_and_sweep)", new CoapLoad.Counts(15_000, 0, 0, 15_000, 1.0), 5, 12),
        new CoapCompare.Row("CON", "bare californium", new CoapLoad.Counts(10_000, 0, 0, -1, 1.0), 5, 10),
        new CoapCompare.Row("CON", "estuary (peers_mark_and_sweep)", new CoapLoad.Counts(14_000, 0, 0, 14_000, 1.0), 5, 12),
        new CoapCompare.Row("CON", "bare californium", new CoapLoad.Counts(21_000, 0, 0, -1, 1.0), 5, 10),
        new CoapCompare.Row("CON", "estuary (peers_mark_and_sweep)", new CoapLoad.Counts(16_000, 0, 0, 16_000, 1.0), 5, 12));
    String t = CoapCompare.table(rows, 32, 4, 32, Duration.ofSeconds(15));
    assertThat(t).contains("median of 3 rounds")
        .contains("| CON | bare californium | 20,000 | – | 100 % |")
        .contains("| CON | estuary (peers_mark_and_sweep) | 15,000 | 15,000 | 75 % |");
  }
}
