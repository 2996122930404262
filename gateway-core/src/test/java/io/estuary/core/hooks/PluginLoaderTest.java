package io.estuary.core.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estuary.api.hooks.HookName;
import io.estuary.api.hooks.HookPlugin;
import io.estuary.api.hooks.Verdict;
import io.estuary.core.config.ConfigError;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugins come from the jars of hooks.plugins_dir, in hooks.order and then by name. */
class PluginLoaderTest {

  /** The plugin a jar in the test's plugins directory names. */
  public static final class JarPlugin implements HookPlugin {
    public String name() {
      return "from-jar";
    }

    public Set<HookName> hooks() {
      return Set.of(HookName.ON_REGISTER);
    }
  }

  record Named(String name) implements HookPlugin {
    public Set<HookName> hooks() {
      return Set.of();
    }
  }

  static HooksConfig config(Path dir, List<String> order) {
    return new HooksConfig(dir, order, Duration.ofSeconds(1), Verdict.Kind.ERROR, 1);
  }

  @Test
  void a_jar_dropped_into_the_plugins_directory_is_loaded(@TempDir Path dir) throws Exception {
    try (OutputStream out = Files.newOutputStream(dir.resolve("my-plugin.jar")); JarOutputStream jar = new JarOutputStream(out)) {
      jar.putNextEntry(new JarEntry("META-INF/services/" + HookPlugin.class.getName()));
      jar.write((JarPlugin.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
      jar.closeEntry();
    }
    List<HookPlugin> plugins = PluginLoader.load(config(dir, List.of()), List.of());
    assertThat(plugins).extracting(HookPlugin::name).containsExactly("from-jar");
  }

  @Test
  void a_missing_plugins_directory_is_no_plugins(@TempDir Path dir) {
    assertThat(PluginLoader.load(config(dir.resolve("absent"), List.of()), List.of())).isEmpty();
  }

  @Test
  void configured_order_comes_first_then_names_in_order(@TempDir Path dir) {
    List<HookPlugin> plugins = PluginLoader.load(config(dir, List.of("zeta")),
        List.of(new Named("beta"), new Named("zeta"), new Named("alpha")));
    assertThat(plugins).extracting(HookPlugin::name).containsExactly("zeta", "alpha", "beta");
  }

  @Test
  void an_unknown_name_in_the_order_fails_naming_the_key(@TempDir Path dir) {
    assertThatThrownBy(() -> PluginLoader.load(config(dir, List.of("nope")), List.of(new Named("a"))))
        .isInstanceOf(ConfigError.class).hasMessageContaining("hooks.order");
  }
}
