package io.estuary.lwm2m.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointNamesTest {

  @ParameterizedTest
  @ValueSource(strings = {"+", "#", "dev+1", "dev#", "site/dev", "$uplink/cloud", "$dev", "", "nul\u0000x", "bell\u0007",
      "del\u007f", "c1\u0085"})
  void endpoint_names_that_widen_topics_or_name_reserved_sessions_are_refused(String ep) {
    assertThat(EndpointNames.check(ep)).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev-1", "urn:imei:490154203237518", "sensor_7.kitchen", "Gerät-ß"})
  void ordinary_endpoint_names_pass(String ep) {
    assertThat(EndpointNames.check(ep)).isNull();
  }
}
