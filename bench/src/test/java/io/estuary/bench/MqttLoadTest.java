package io.estuary.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MqttLoadTest {

  private final MqttLoad.DurationConverter durations = new MqttLoad.DurationConverter();

  @Test
  void durations_read_as_people_write_them() {
    assertThat(durations.convert("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(durations.convert("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(durations.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(durations.convert("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(durations.convert("7")).isEqualTo(Duration.ofSeconds(7));
    assertThat(durations.convert("PT3S")).isEqualTo(Duration.ofSeconds(3));
    assertThatThrownBy(() -> durations.convert("soon")).isInstanceOf(CommandLine.TypeConversionException.class);
  }

  @Test
  void arguments_that_break_the_topology_exit_with_2_before_connecting() {
    StringWriter err = new StringWriter();
    int code = new CommandLine(new MqttLoad())
        .setErr(new PrintWriter(err))
        .execute("--port", "1", "--topics", "fan-out", "--publishers", "3");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("fan-out has exactly 1 publisher");
  }
}
