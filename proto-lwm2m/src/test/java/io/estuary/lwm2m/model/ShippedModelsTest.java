package io.estuary.lwm2m.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.eclipse.leshan.core.model.ObjectModel;
import org.junit.jupiter.api.Test;

class ShippedModelsTest {
  @Test
  void every_indexed_model_parses_with_the_id_and_version_the_index_says() {
    ShippedModels shipped = ShippedModels.load();
    assertThat(shipped.entries()).hasSizeGreaterThan(330);
    Set<String> idVersions = new HashSet<>();
    for (ShippedModels.Entry e : shipped.entries()) {
      ObjectModel m = ShippedModels.parse(e);
      assertThat(m).as(e.toString()).isNotNull();
      assertThat(idVersions.add(e.id() + "@" + e.version())).as("twice: " + e).isTrue();
    }
  }

  @Test
  void the_ipso_and_core_objects_are_there() {
    Set<Integer> ids = new HashSet<>();
    ShippedModels.load().entries().forEach(e -> ids.add(e.id()));
    assertThat(ids).contains(0, 1, 2, 3, 4, 5, 6, 7, 3303, 3311, 3340, 3442, 10241);
  }

  /** The two files the registry publishes without a header (see models/registry/README.md). */
  private static final Set<String> PUBLISHED_WITHOUT_HEADER = Set.of("registry/3443.xml", "registry/10244.xml");

  @Test
  void every_registry_file_keeps_its_licence_text() throws IOException {
    for (ShippedModels.Entry e : ShippedModels.load().entries()) {
      if (e.resource().startsWith("leshan:") || PUBLISHED_WITHOUT_HEADER.contains(e.resource())) {
        continue;
      }
      try (InputStream in = ShippedModels.class.getResourceAsStream(ShippedModels.DIR + e.resource())) {
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        assertThat(text).as(e.resource()).containsIgnoringCase("copyright");
      }
    }
  }
}
