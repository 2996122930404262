package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/mqtt.md's conformance table stays true: every test a row names exists, no statement id is listed twice,
 * and the totals line counts what the rows say.
 */
class ConformanceTableTest {
  static final Pattern TEST_REF = Pattern.compile("`([A-Z][A-Za-z0-9]*)\\.([a-z][A-Za-z0-9_]*)");
  static final Pattern TOTALS = Pattern.compile(
      "\\*\\*(\\d+) statements: (\\d+) bind the server: (\\d+) covered, (\\d+) n/a, (\\d+) not covered, (\\d+) failing;"
          + " (\\d+) bind only the client");
  static Path root;
  static List<String[]> rows = new ArrayList<>();
  static String doc;

  @BeforeAll
  static void read() throws IOException {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("docs/mqtt.md"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("docs/mqtt.md above the working directory").isNotNull();
    root = dir;
    doc = Files.readString(dir.resolve("docs/mqtt.md"));
    for (String line : doc.split("\n")) {
      if (line.startsWith("| MQTT-")) {
        String[] cols = line.split("\\|", -1); // "", id, what, covered by, ""
        rows.add(new String[] {cols[1].trim(), cols[2].trim(), cols[3].trim()});
      }
    }
  }

  @Test
  void every_statement_is_listed_once() {
    Set<String> ids = new HashSet<>();
    for (String[] r : rows) {
      assertThat(ids.add(r[0])).as("listed twice: %s", r[0]).isTrue();
    }
    assertThat(rows).hasSizeGreaterThan(200);
  }

  @Test
  void every_test_a_row_names_exists() throws IOException {
    Map<String, String> sources = new HashMap<>();
    try (Stream<Path> files = Files.walk(root, 14)) {
      files.filter(p -> p.toString().contains("/src/test/java/") && !p.toString().contains("/target/") && p.toString().endsWith(".java"))
          .forEach(p -> sources.merge(p.getFileName().toString().replace(".java", ""), read(p), String::concat));
    }
    List<String> missing = new ArrayList<>();
    for (String[] r : rows) {
      Matcher m = TEST_REF.matcher(r[2]);
      while (m.find()) {
        String src = sources.get(m.group(1));
        if (src == null || !src.contains(" " + m.group(2) + "(")) {
          missing.add(r[0] + ": " + m.group(1) + "." + m.group(2));
        }
      }
    }
    assertThat(missing).as("tests named in docs/mqtt.md that do not exist").isEmpty();
  }

  @Test
  void the_totals_line_counts_the_rows() {
    int client = 0;
    int notApplicable = 0;
    int notCovered = 0;
    int failing = 0;
    int covered = 0;
    for (String[] r : rows) {
      if (r[1].startsWith("(client)")) {
        client++;
      } else if (r[2].startsWith("n/a")) {
        notApplicable++;
      } else if (r[2].startsWith("not covered")) {
        notCovered++;
      } else if (r[2].startsWith("fails")) {
        failing++;
      } else {
        covered++;
      }
    }
    Matcher m = TOTALS.matcher(doc.replace("\n", " "));
    assertThat(m.find()).as("the totals line in docs/mqtt.md").isTrue();
    assertThat(List.of(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6), m.group(7)))
        .containsExactly(String.valueOf(rows.size()), String.valueOf(rows.size() - client), String.valueOf(covered),
            String.valueOf(notApplicable), String.valueOf(notCovered), String.valueOf(failing), String.valueOf(client));
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
