package io.estuary.mqttsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estuary.testkit.TestConfigs;
import org.junit.jupiter.api.Test;

/** {@code max_unproven}: {@code auto} is half of the listener's {@code max_connections}; a number stands; 0 refused. */
class MaxUnprovenConfigTest {
  private static int maxUnproven(String hocon) {
    return MqttSnConfig.from(TestConfigs.adapterConfig("gateway.mqttsn", hocon)).limits().listener("udp:default")
        .maxUnproven();
  }

  @Test
  void auto_is_half_of_max_connections() {
    assertThat(maxUnproven("")).isEqualTo(50_000);
    assertThat(maxUnproven("gateway.mqttsn.listeners.udp.default.max_connections = 1001")).isEqualTo(500);
    assertThat(maxUnproven("gateway.mqttsn.listeners.udp.default.max_connections = 1")).isEqualTo(1);
  }

  @Test
  void a_number_stands_and_zero_is_refused_naming_the_key() {
    assertThat(maxUnproven("gateway.mqttsn.listeners.udp.default.max_unproven = 7")).isEqualTo(7);
    assertThatThrownBy(() -> maxUnproven("gateway.mqttsn.listeners.udp.default.max_unproven = 0"))
        .hasMessageContaining("max_unproven");
  }
}
