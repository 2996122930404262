package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.estuary.api.AdapterConfig;
import io.estuary.api.ProtocolAdapterFactory;
import io.estuary.core.config.TypesafeAdapterConfig;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The factory's config view (the root: {@code listeners.*} and {@code mqtt.*}) and its errors, which name the key. */
class MqttAdapterFactoryTest {

  /** The root view the gateway hands over: {@code hocon} over every reference.conf on the class path. */
  static AdapterConfig root(String hocon) {
    return new TypesafeAdapterConfig("", ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve());
  }

  @Test
  void is_found_by_service_loader_and_reads_the_root_of_the_config() {
    assertThat(ServiceLoader.load(ProtocolAdapterFactory.class).stream().map(ServiceLoader.Provider::get))
        .anySatisfy(f -> {
          assertThat(f).isInstanceOf(MqttAdapterFactory.class);
          assertThat(f.protocol()).isEqualTo("mqtt");
          assertThat(f.configPath()).isEmpty();
        });
  }

  @Test
  void defaults_give_four_listeners_on_emqx_ports() {
    List<MqttListenerConfig> ls = MqttConfigReader.listeners(root(""));
    assertThat(ls).extracting(l -> l.bind().getPort()).containsExactlyInAnyOrder(1883, 8883, 8083, 8084);
    assertThat(ls).filteredOn(MqttListenerConfig::secure).extracting(MqttListenerConfig::id).containsExactlyInAnyOrder("ssl:default", "wss:default");
    assertThat(ls).filteredOn(MqttListenerConfig::websocket).extracting(MqttListenerConfig::wsPath).containsOnly("/mqtt");
  }

  @Test
  void defaults_of_the_limits_are_emqx_defaults() {
    assertThat(MqttConfigReader.limits(root(""))).isEqualTo(MqttListenerLimits.DEFAULTS);
  }

  @Test
  void a_disabled_listener_is_not_bound_and_a_new_one_is() {
    List<MqttListenerConfig> ls = MqttConfigReader.listeners(root("""
        listeners.ws.default.enable = false
        listeners.tcp.internal { bind = "127.0.0.1:1884", mountpoint = "in/", max_connections = 10 }
        """));
    assertThat(ls).extracting(MqttListenerConfig::id).doesNotContain("ws:default").contains("tcp:internal");
    MqttListenerConfig internal = ls.stream().filter(l -> l.id().equals("tcp:internal")).findFirst().orElseThrow();
    assertThat(internal.mountpoint()).isEqualTo("in/");
    assertThat(internal.maxConnections()).isEqualTo(10);
  }

  @Test
  void a_bad_bind_names_the_key_and_the_value() {
    assertThatThrownBy(() -> MqttConfigReader.listeners(root("listeners.tcp.default.bind = \"nohost:99999\"")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("listeners.tcp.default.bind").hasMessageContaining("99999");
  }

  @Test
  void an_unknown_listener_type_names_the_key() {
    assertThatThrownBy(() -> MqttConfigReader.listeners(root("listeners.quic.default.bind = 14567")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("listeners.quic").hasMessageContaining("tcp, ssl, ws or wss");
  }

  @Test
  void a_missing_certificate_file_names_the_key() {
    assertThatThrownBy(() -> MqttConfigReader.listeners(root(
            "listeners.ssl.default.ssl_options { certfile = \"/no/such/cert.pem\", keyfile = \"/no/such/key.pem\" }")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("listeners.ssl.default.ssl_options.certfile")
        .hasMessageContaining("/no/such/cert.pem").hasMessageContaining("a readable PEM file");
  }

  @Test
  void io_threads_default_to_one_event_loop_per_two_processors_and_take_an_explicit_count() {
    assertThat(MqttConfigReader.ioThreads(root("")))
        .isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    assertThat(MqttConfigReader.defaultIoThreads(1)).isEqualTo(1);
    assertThat(MqttConfigReader.defaultIoThreads(2)).isEqualTo(1);
    assertThat(MqttConfigReader.defaultIoThreads(3)).isEqualTo(1);
    assertThat(MqttConfigReader.defaultIoThreads(16)).isEqualTo(8);
    assertThat(MqttConfigReader.ioThreads(root("mqtt.io_threads = 3"))).isEqualTo(3);
  }

  @Test
  void a_negative_or_huge_io_threads_names_the_key_and_the_range() {
    assertThatThrownBy(() -> MqttConfigReader.ioThreads(root("mqtt.io_threads = -1")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mqtt.io_threads = -1").hasMessageContaining("0..1024");
    assertThatThrownBy(() -> MqttConfigReader.ioThreads(root("mqtt.io_threads = 5000")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mqtt.io_threads = 5000");
  }

  @Test
  void a_limit_out_of_range_names_the_key_the_value_and_the_range() {
    assertThatThrownBy(() -> MqttConfigReader.limits(root("mqtt.max_topic_alias = 70000")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mqtt.max_topic_alias = 70000").hasMessageContaining("0..65535");
    assertThatThrownBy(() -> MqttConfigReader.limits(root("mqtt.keepalive_multiplier = 0.5")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mqtt.keepalive_multiplier").hasMessageContaining(">= 1.0");
    assertThatThrownBy(() -> MqttConfigReader.limits(root("mqtt.max_qos_allowed = 7")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mqtt.max_qos_allowed = 7").hasMessageContaining("0, 1 or 2");
  }
}
