package io.estuary.mqttsn;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estuary.testkit.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Invalid config fails the start with the key, the value and what was expected. */
@Timeout(30)
class MqttSnConfigIT {

  private static void start(String hocon) {
    try (TestGateway gw = TestGateway.builder()
        .config("gateway.mqttsn.listeners.udp.default.bind = \"127.0.0.1:0\"\n" + hocon)
        .adapter(new MqttSnAdapterFactory())
        .start()) {
      // started: not expected
    }
  }

  @Test
  void gateway_id_out_of_range_fails_naming_the_key() {
    assertThatThrownBy(() -> start("gateway.mqttsn.gateway_id = 300"))
        .hasStackTraceContaining("gateway.mqttsn.gateway_id must be 0..255, was 300");
  }

  @Test
  void predefined_with_wildcard_fails_naming_the_key() {
    assertThatThrownBy(() -> start("gateway.mqttsn.predefined = [{id = 1, topic = \"a/#\"}]"))
        .hasStackTraceContaining("predefined");
  }

  @Test
  void bad_bind_address_fails_naming_the_key() {
    assertThatThrownBy(() -> start("gateway.mqttsn.listeners.udp.default.bind = \"nohost:notaport\""))
        .hasStackTraceContaining("bind");
  }
}
