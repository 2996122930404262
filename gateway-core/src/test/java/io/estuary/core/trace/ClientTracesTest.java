package io.estuary.core.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a trace file holds whatever the traced client sends: lines cut, the file capped, the rest counted. */
class ClientTracesTest {
  @TempDir Path dir;

  @Test
  void a_long_packet_is_cut_and_a_full_file_drops_later_lines_and_says_how_many() throws Exception {
    try (ClientTraces traces = new ClientTraces(dir, Clock.systemUTC(), 10_000)) {
      traces.start("c1");
      var trace = traces.forClient("mqtt", "c1");
      trace.in("SUBSCRIBE " + "a/b,".repeat(20_000)); // 80,000 characters of filters in one packet
      for (int i = 0; i < 100; i++) {
        trace.out("PUBLISH topic=t/" + i + " " + "é".repeat(100)); // 200 bytes of UTF-8 in 100 characters
      }
      ClientTraces.Active a = traces.stop("c1");
      List<String> lines = Files.readAllLines(a.file());
      assertThat(lines.get(0)).hasSizeLessThanOrEqualTo(ClientTraces.MAX_LINE).endsWith("more characters)");
      assertThat(Files.size(a.file())).as("capped in bytes, plus the closing line").isLessThan(10_000 + 200);
      assertThat(ClientTraces.utf8Length("aé€\uD83D\uDE00")).isEqualTo(1 + 2 + 3 + 4);
      assertThat(a.lines() + a.dropped()).isEqualTo(101);
      assertThat(a.dropped()).isPositive();
      assertThat(lines.get(lines.size() - 1)).isEqualTo("# " + a.dropped()
          + " lines dropped: the trace writer fell behind or the file reached 10000 bytes");
    }
  }
}
