package io.estuary.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSchemaTest {

  @Test
  void a_misspelt_key_is_refused_with_its_file_line_and_the_closest_valid_key(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("estuary.conf");
    Files.writeString(f, "node.name = edge\n\nauthentication.allow_anonymus = false\n");
    assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("authentication.allow_anonymus")
        .hasMessageContaining(f + " line 3")
        .hasMessageContaining("did you mean allow_anonymous?")
        .extracting(e -> ((ConfigError) e).key()).isEqualTo("authentication.allow_anonymus");
  }

  @Test
  void every_unknown_key_is_listed_not_only_the_first() {
    assertThatThrownBy(() -> ConfigLoader.bind(ConfigFactory.parseString("mqtt.max_inflihgt = 3\nnode.nmae = x\n")))
        .hasMessageContaining("unknown config keys")
        .hasMessageContaining("mqtt.max_inflihgt").hasMessageContaining("did you mean max_inflight?")
        .hasMessageContaining("node.nmae").hasMessageContaining("did you mean name?");
  }

  @Test
  void a_key_in_the_wrong_block_is_pointed_to_where_it_belongs() {
    assertThatThrownBy(() -> ConfigLoader.bind(ConfigFactory.parseString("mqtt.allow_anonymous = false")))
        .hasMessageContaining("did you mean authentication.allow_anonymous?");
  }

  @Test
  void an_unknown_top_level_block_is_refused() {
    assertThatThrownBy(() -> ConfigLoader.bind(ConfigFactory.parseString("bogus { x = 1 }")))
        .isInstanceOf(ConfigError.class).hasMessageContaining("bogus is not a config key");
  }

  @Test
  void environment_variables_are_checked_and_named_as_the_origin() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("ESTUARY_MQTT__MAX_INFLIGTH", "3")))
        .hasMessageContaining("mqtt.max_infligth").hasMessageContaining("environment variable ESTUARY_MQTT__MAX_INFLIGTH");
  }

  @Test
  void launcher_variables_without_a_double_underscore_are_not_config_keys() {
    GatewayConfig c = ConfigLoader.load(null, Map.of("ESTUARY_HOME", "/opt/estuary", "ESTUARY_OPTS", "-Xmx64m"));
    assertThat(c.nodeName()).isEqualTo("estuary@127.0.0.1");
  }

  @Test
  void elements_of_declared_lists_of_objects_are_checked() {
    assertThatThrownBy(() -> ConfigLoader.bind(ConfigFactory.parseString(
        "authentication.users = [{ username = a, password = b, superusr = true }]")))
        .hasMessageContaining("authentication.users[0].superusr").hasMessageContaining("did you mean superuser?");
  }

  @Test
  void open_maps_accept_any_name_and_check_each_entry_against_the_template() {
    var reference = ConfigFactory.parseString("""
        listeners.tcp.default { bind = "0.0.0.0:1883", enable = true }
        estuary_schema.open_maps { "listeners.tcp" = default }
        """);
    ConfigSchema schema = ConfigSchema.of(reference);
    schema.check(ConfigFactory.parseString("listeners.tcp.internal { bind = \"127.0.0.1:1884\" }"));
    assertThatThrownBy(() -> schema.check(ConfigFactory.parseString("listeners.tcp.internal { bnd = \"127.0.0.1:1884\" }")))
        .hasMessageContaining("listeners.tcp.internal.bnd").hasMessageContaining("did you mean bind?");
  }

  @Test
  void wildcard_patterns_match_one_segment() {
    assertThat(ConfigSchema.matches("uplink.*.forwards", "uplink.cloud.forwards")).isTrue();
    assertThat(ConfigSchema.matches("uplink.*.forwards", "uplink.a.b.forwards")).isFalse();
  }

  @Test
  void the_edit_distance_counts_a_swap_as_one() {
    assertThat(ConfigSchema.distance("anonymuos", "anonymous")).isEqualTo(1);
    assertThat(ConfigSchema.distance("kitten", "sitting")).isEqualTo(3);
    assertThat(ConfigSchema.nearest("zzz", java.util.List.of("name", "shutdown_grace"))).isNull();
  }

  @Test
  void relative_paths_resolve_against_the_install_directory_not_the_working_directory(@TempDir Path home) throws Exception {
    Files.createDirectory(home.resolve("var"));
    GatewayConfig c = ConfigLoader.bind(ConfigFactory.parseString("persistence.dir = \"var/data\""), home.resolve("x/.."));
    assertThat(c.persistence().dir()).isEqualTo(home.resolve("var/data"));
  }

  @Test
  void the_default_data_directory_lives_in_the_install_directory(@TempDir Path home) {
    GatewayConfig c = ConfigLoader.load(null, Map.of(), home);
    assertThat(c.persistence().dir()).isEqualTo(home.resolve("data"));
    assertThat(c.raw().getString("persistence.dir")).isEqualTo(home.resolve("data").toString());
  }

  @Test
  void absolute_paths_stay_as_written(@TempDir Path home, @TempDir Path elsewhere) {
    GatewayConfig c = ConfigLoader.bind(ConfigFactory.parseString("persistence.dir = \"" + elsewhere.resolve("d") + "\""), home);
    assertThat(c.persistence().dir()).isEqualTo(elsewhere.resolve("d"));
  }

  @Test
  void a_data_directory_whose_parent_is_missing_is_refused(@TempDir Path home) {
    assertThatThrownBy(() -> ConfigLoader.bind(ConfigFactory.parseString("persistence.dir = \"no/such/data\""), home))
        .isInstanceOf(ConfigError.class).hasMessageContaining("persistence.dir").hasMessageContaining(home.resolve("no/such").toString());
  }

  @Test
  void a_configured_directory_that_is_missing_is_refused_and_a_missing_default_is_not(@TempDir Path home) {
    var reference = ConfigFactory.parseString("""
        x.xml_dir = "xml"
        estuary_schema.paths { "x.xml_dir" = dir }
        """);
    assertThat(ConfigPaths.resolve(reference, ConfigFactory.empty(), home).getString("x.xml_dir"))
        .isEqualTo(home.resolve("xml").toString());
    var user = ConfigFactory.parseString("x.xml_dir = \"models\"");
    assertThatThrownBy(() -> ConfigPaths.resolve(user.withFallback(reference), user, home))
        .isInstanceOf(ConfigError.class).hasMessageContaining("x.xml_dir").hasMessageContaining("an existing directory");
  }

  @Test
  void wildcard_paths_expand_over_named_entries() {
    var c = ConfigFactory.parseString("uplink { a.ssl.certfile = x, b.ssl.certfile = y }");
    assertThat(ConfigPaths.expand(c, "uplink.*.ssl.certfile")).containsExactlyInAnyOrder("uplink.a.ssl.certfile", "uplink.b.ssl.certfile");
  }

  @Test
  void a_wildcard_after_a_list_of_objects_resolves_that_key_in_each_element(@TempDir Path home) {
    var reference = ConfigFactory.parseString("""
        x.configs = []
        estuary_schema.paths { "x.configs.*.keyfile" = file }
        """);
    var user = ConfigFactory.parseString("x.configs = [{ keyfile = \"keys/a.pem\" }, { other = 1 }, { keyfile = \"/abs/b.pem\" }]");
    var out = ConfigPaths.resolve(user.withFallback(reference), user, home);
    assertThat(out.getConfigList("x.configs").get(0).getString("keyfile")).isEqualTo(home.resolve("keys/a.pem").toString());
    assertThat(out.getConfigList("x.configs").get(1).hasPath("keyfile")).isFalse();
    assertThat(out.getConfigList("x.configs").get(2).getString("keyfile")).isEqualTo("/abs/b.pem");
  }
}
