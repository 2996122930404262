package io.estuary.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The start-class list ships in the jar and the preloader gets through it without failing (issue #19). */
class ClassPreloaderTest {

  @Test
  void the_list_names_the_gateways_own_start_classes_and_the_preloader_loads_them_all() throws Exception {
    List<String> names;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        ClassPreloader.class.getResourceAsStream("start-classes.txt"), StandardCharsets.UTF_8))) {
      names = r.lines().toList();
    }
    assertThat(names).hasSizeGreaterThan(1000).contains("io.estuary.core.server.Gateway")
        .noneMatch(n -> n.contains("/") || n.isBlank());
    Thread t = ClassPreloader.start();
    assertThat(t).isNotNull();
    t.join(60_000);
    assertThat(t.isAlive()).as("done within a minute").isFalse();
  }

  @Test
  void it_can_be_turned_off() {
    System.setProperty("estuary.preload", "false");
    try {
      assertThat(ClassPreloader.start()).isNull();
    } finally {
      System.clearProperty("estuary.preload");
    }
  }
}
