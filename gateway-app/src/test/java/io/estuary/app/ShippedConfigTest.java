package io.estuary.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estuary.core.config.ConfigError;
import io.estuary.core.config.ConfigLoader;
import io.estuary.core.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped etc/estuary.conf against the reference.conf files of every module the distribution carries. */
class ShippedConfigTest {

  @Test
  void the_shipped_config_file_passes_the_unknown_key_check_with_every_module() {
    GatewayConfig c = ConfigLoader.load(Path.of("../etc/estuary.conf"), Map.of());
    assertThat(c.nodeName()).isEqualTo("estuary@127.0.0.1");
  }

  @Test
  void a_typo_in_an_adapter_block_is_caught_with_a_suggestion(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("estuary.conf");
    Files.writeString(f, "gateway.coap {\n  enable = true\n  hearbeat = 10s\n}\n");
    assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("gateway.coap.hearbeat").hasMessageContaining("line 3").hasMessageContaining("did you mean heartbeat?");
  }

  @Test
  void named_listeners_and_uplinks_are_open_maps_checked_against_their_template(@TempDir Path dir) throws Exception {
    Path ok = dir.resolve("ok.conf");
    Files.writeString(ok, """
        listeners.tcp.internal { bind = "127.0.0.1:0", mountpoint = "in/" }
        gateway.mqttsn.listeners.udp.second { bind = "127.0.0.1:0" }
        uplink.site2 { enable = false, server = "upstream:1883", forwards = [{ filter = "a/#", remote_topic = "x/${topic}" }] }
        """);
    assertThat(ConfigLoader.load(ok, Map.of()).raw().getString("listeners.tcp.internal.mountpoint")).isEqualTo("in/");
    Path bad = dir.resolve("bad.conf");
    Files.writeString(bad, "uplink.site2 { enable = false, forwards = [{ filtre = \"a/#\" }] }\n");
    assertThatThrownBy(() -> ConfigLoader.load(bad, Map.of()))
        .hasMessageContaining("uplink.site2.forwards[0].filtre").hasMessageContaining("did you mean filter?");
  }

  @Test
  void the_keys_added_by_stomp_tcp_bootstrap_and_hooks_pass_and_their_typos_do_not(@TempDir Path dir) throws Exception {
    Path ok = dir.resolve("ok.conf");
    Files.writeString(ok, """
        gateway.stomp.listeners.tcp.second { bind = "127.0.0.1:0", max_connections = 10 }
        gateway.tcp.listeners.tcp.meters { bind = "127.0.0.1:0", framing { type = length_field, length_field { size = 2 } } }
        gateway.lwm2m.bootstrap.configs = [{ endpoint_pattern = "meter-.*", security = psk, lifetime = 300s }]
        plugins.myplugin { anything = 1, nested { goes = "here" } }
        webhooks.endpoints.reg { hook = auth_on_register, endpoint = "http://127.0.0.1:1/x" }
        authentication.http.headers { "X-Token" = "t" }
        """);
    assertThat(ConfigLoader.load(ok, Map.of()).raw().getInt("gateway.stomp.listeners.tcp.second.max_connections")).isEqualTo(10);
    for (String typo : new String[] {
        "gateway.stomp.listeners.tcp.second { bnd = \"127.0.0.1:0\" }\n",
        "gateway.tcp.listeners.tcp.meters { framing { typ = line } }\n",
        "gateway.lwm2m.bootstrap.configs = [{ endpoint_patern = \"m-.*\" }]\n",
        "hooks.orderr = []\n"}) {
      Path bad = dir.resolve("bad.conf");
      Files.writeString(bad, typo);
      assertThatThrownBy(() -> ConfigLoader.load(bad, Map.of())).as(typo).isInstanceOf(ConfigError.class).hasMessageContaining("did you mean");
    }
  }

  @Test
  void a_configured_lwm2m_xml_dir_that_is_missing_refuses_to_start(@TempDir Path home) throws Exception {
    Path f = home.resolve("estuary.conf");
    Files.writeString(f, "gateway.lwm2m.xml_dir = \"models\"\n");
    assertThatThrownBy(() -> ConfigLoader.load(f, Map.of(), home))
        .isInstanceOf(ConfigError.class).hasMessageContaining("gateway.lwm2m.xml_dir").hasMessageContaining(home.resolve("models").toString());
    Files.createDirectory(home.resolve("models"));
    assertThat(ConfigLoader.load(f, Map.of(), home).raw().getString("gateway.lwm2m.xml_dir")).isEqualTo(home.resolve("models").toString());
  }

  @Test
  void the_key_files_of_rpk_and_x509_bootstrap_configs_pass_the_check_and_resolve_against_the_install_directory(
      @TempDir Path home) throws Exception {
    Path f = home.resolve("estuary.conf");
    Files.writeString(f, """
        gateway.lwm2m.bootstrap.configs = [
          { endpoint = dev1, security = x509, certfile = "certs/dev1.crt", keyfile = "certs/dev1.key" },
          { endpoint = dev2, security = rpk, keyfile = "/abs/dev2.key", public_key_file = "certs/dev2.pub.pem" } ]
        """);
    var configs = ConfigLoader.load(f, Map.of(), home).raw().getConfigList("gateway.lwm2m.bootstrap.configs");
    assertThat(configs.get(0).getString("certfile")).isEqualTo(home.resolve("certs/dev1.crt").toString());
    assertThat(configs.get(0).getString("keyfile")).isEqualTo(home.resolve("certs/dev1.key").toString());
    assertThat(configs.get(1).getString("keyfile")).isEqualTo("/abs/dev2.key");
    assertThat(configs.get(1).getString("public_key_file")).isEqualTo(home.resolve("certs/dev2.pub.pem").toString());
    Files.writeString(f, "gateway.lwm2m.bootstrap.configs = [{ endpoint = d, security = rpk, key_file = \"k.pem\" }]\n");
    assertThatThrownBy(() -> ConfigLoader.load(f, Map.of(), home)).isInstanceOf(ConfigError.class).hasMessageContaining("key_file");
  }
}
