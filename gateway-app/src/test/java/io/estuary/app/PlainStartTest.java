package io.estuary.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The plain starts skip picocli and read exactly what picocli would; everything else still goes to picocli. */
class PlainStartTest {

  static Path parsedByPicocli(String... args) {
    Main m = new Main();
    new CommandLine(m).parseArgs(args);
    return m.config;
  }

  @Test
  void noArgumentsAndTheConfigOptionAreStartedWithoutPicocliReadingTheSameFile() {
    for (String[] args : new String[][] {{}, {"-c", "etc/site.conf"}, {"--config", "/etc/estuary/a b.conf"}}) {
      Main plain = Main.plainStart(args);
      assertThat(plain).as(String.join(" ", args)).isNotNull();
      assertThat(plain.config).isEqualTo(parsedByPicocli(args));
    }
  }

  @Test
  void everyOtherCommandLineIsLeftToPicocli() {
    for (String[] args : new String[][] {{"--version"}, {"-h"}, {"ctl", "status"}, {"passwd", "x"}, {"-c"},
        {"-c=etc/a.conf"}, {"-c", "-h"}, {"-c", "a.conf", "extra"}, {"--config", "a\0b"}, {"-x", "a.conf"}}) {
      assertThat(Main.plainStart(args)).as(String.join(" ", args)).isNull();
    }
  }
}
