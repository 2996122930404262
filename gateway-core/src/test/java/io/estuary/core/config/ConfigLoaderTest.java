package io.estuary.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @Test
  void defaults_put_the_api_on_18083_and_allow_anonymous_clients() {
    // the four MQTT listeners' defaults are proto-mqtt's (MqttAdapterFactoryTest)
    GatewayConfig c = ConfigLoader.load(null, Map.of());
    assertThat(c.managementBind().getPort()).isEqualTo(18083);
    assertThat(c.auth().allowAnonymous()).isTrue();
  }

  @Test
  void environment_overrides_any_key() {
    GatewayConfig c = ConfigLoader.load(null, Map.of("ESTUARY_MQTT__MAX_INFLIGHT", "64", "ESTUARY_NODE__NAME", "edge-7", "PATH", "/bin"));
    assertThat(c.mqtt().maxInflight()).isEqualTo(64);
    assertThat(c.nodeName()).isEqualTo("edge-7");
  }

  @Test
  void store_caps_default_to_a_share_of_the_data_file_system_and_of_the_heap_and_take_sizes_and_zero(@TempDir Path dir) {
    String d = "persistence.dir = \"" + dir.toString().replace("\\", "/") + "\"\n";
    PersistenceConfig p = ConfigLoader.bind(ConfigFactory.parseString(d)).persistence();
    assertThat(p.maxBytes()).as("50% of the file system").isEqualTo(PersistenceConfig.fileSystemTotal(dir) / 2);
    assertThat(p.memoryMaxBytes()).as("25% of the heap").isEqualTo(Runtime.getRuntime().maxMemory() / 4);
    p = ConfigLoader.bind(ConfigFactory.parseString(d + "persistence { max_bytes = 10GB, memory_max_bytes = 0 }")).persistence();
    assertThat(p.maxBytes()).as("GB = 2^30, as EMQX").isEqualTo(10L << 30);
    assertThat(p.memoryMaxBytes()).isZero();
    p = ConfigLoader.bind(ConfigFactory.parseString(d + "persistence { max_bytes = 0, memory_max_bytes = \"0%\" }")).persistence();
    assertThat(p.maxBytes()).isZero();
    assertThat(p.memoryMaxBytes()).isZero();
    assertThatThrownBy(() -> ConfigLoader.bind(ConfigFactory.parseString(d + "persistence.max_bytes = \"150%\"")))
        .isInstanceOf(ConfigError.class).hasMessageContaining("persistence.max_bytes").hasMessageContaining("0% to 100%");
    assertThatThrownBy(() -> ConfigLoader.bind(ConfigFactory.parseString(d + "persistence.max_bytes = lots")))
        .isInstanceOf(ConfigError.class).hasMessageContaining("persistence.max_bytes");
  }

  @Test
  void sizes_read_as_emqx_reads_them_1024_based_with_kb_mb_gb_in_any_case() {
    com.typesafe.config.Config c = ConfigFactory.parseString("""
        a = 64KB, b = 1MB, c = 4GB, d = 1048576, e = 64kb, f = 64KiB, g = "2 MB", h = 256MiB, i = 10B, j = 0, k = 1m
        """);
    assertThat(ConfigSizes.bytes(c, "a")).isEqualTo(65_536);
    assertThat(ConfigSizes.bytes(c, "b")).isEqualTo(1_048_576);
    assertThat(ConfigSizes.bytes(c, "c")).isEqualTo(4L << 30);
    assertThat(ConfigSizes.bytes(c, "d")).isEqualTo(1_048_576);
    assertThat(ConfigSizes.bytes(c, "e")).isEqualTo(65_536);
    assertThat(ConfigSizes.bytes(c, "f")).isEqualTo(65_536);
    assertThat(ConfigSizes.bytes(c, "g")).isEqualTo(2_097_152);
    assertThat(ConfigSizes.bytes(c, "h")).isEqualTo(256L << 20);
    assertThat(ConfigSizes.bytes(c, "i")).isEqualTo(10);
    assertThat(ConfigSizes.bytes(c, "j")).isZero();
    assertThat(ConfigSizes.bytes(c, "k")).isEqualTo(1_048_576);
    // through the loader, with the key named on a bad value
    assertThat(ConfigLoader.bind(ConfigFactory.parseString("mqtt.max_packet_size = 64KB")).mqtt().maxPacketSize())
        .isEqualTo(65_536);
    assertThatThrownBy(() -> ConfigLoader.bind(ConfigFactory.parseString("mqtt.max_packet_size = 64XB")))
        .isInstanceOf(ConfigError.class).hasMessageContaining("mqtt.max_packet_size").hasMessageContaining("64XB");
    assertThatThrownBy(() -> ConfigLoader.bind(ConfigFactory.parseString("mqtt.max_packet_size = -5")))
        .isInstanceOf(ConfigError.class).hasMessageContaining("mqtt.max_packet_size");
    assertThatThrownBy(() -> ConfigLoader.bind(ConfigFactory.parseString("mqtt.max_packet_size = 99999999999GB")))
        .isInstanceOf(ConfigError.class).hasMessageContaining("mqtt.max_packet_size");
  }

  @Test
  void invalid_value_names_key_value_and_expectation() {
    assertThatThrownBy(() -> ConfigLoader.bind(ConfigFactory.parseString("mqtt.max_qos_allowed = 3")))
        .isInstanceOf(ConfigError.class).hasMessageContaining("mqtt.max_qos_allowed").hasMessageContaining("3").hasMessageContaining("0, 1 or 2");
    assertThatThrownBy(() -> ConfigLoader.bind(ConfigFactory.parseString("mqtt.max_inflight = lots")))
        .isInstanceOf(ConfigError.class).hasMessageContaining("max_inflight");
    assertThatThrownBy(() -> ConfigLoader.bind(ConfigFactory.parseString("api.bind = \"nohost:99999\"")))
        .isInstanceOf(ConfigError.class).hasMessageContaining("api.bind").hasMessageContaining("99999");
    assertThatThrownBy(() -> ConfigLoader.bind(ConfigFactory.parseString("persistence.sync = sometimes")))
        .isInstanceOf(ConfigError.class).hasMessageContaining("always, interval or never");
    assertThatThrownBy(() -> ConfigLoader.bind(ConfigFactory.parseString("mqtt.mqueue_overflow = broker")))
        .isInstanceOf(ConfigError.class).hasMessageContaining("mqtt.mqueue_overflow")
        .hasMessageContaining("drop_oldest, drop_newest or backpressure");
  }

  @Test
  void user_file_may_include_the_default_file(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("estuary.conf"), "mqtt.max_inflight = 10\nnode.name = base\n");
    Files.writeString(dir.resolve("site.conf"), "include \"estuary.conf\"\nnode.name = site\n");
    GatewayConfig c = ConfigLoader.load(dir.resolve("site.conf"), Map.of());
    assertThat(c.nodeName()).isEqualTo("site");
    assertThat(c.mqtt().maxInflight()).isEqualTo(10);
  }

  @Test
  void missing_file_is_refused() {
    assertThatThrownBy(() -> ConfigLoader.load(Path.of("no/such.conf"), Map.of())).isInstanceOf(ConfigError.class)
        .hasMessageContaining("no/such.conf");
  }

  @Test
  void shipped_etc_file_lists_every_core_default() throws Exception {
    // it loads with every module on the class path: gateway-app's ShippedConfigTest
    Path etc = Path.of("../etc/estuary.conf");
    String text = Files.readString(etc);
    var reference = ConfigFactory.parseResources("reference.conf").withoutPath(ConfigSchema.SCHEMA);
    for (var e : reference.entrySet()) {
      String leaf = e.getKey().substring(e.getKey().lastIndexOf('.') + 1);
      assertThat(text).as("etc/estuary.conf documents %s", e.getKey()).contains(leaf);
    }
  }
}
