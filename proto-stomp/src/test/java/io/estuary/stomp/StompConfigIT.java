package io.estuary.stomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estuary.testkit.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** gateway.stomp is read once at start; a bad value stops the start with the key's name. */
@Timeout(60)
class StompConfigIT {
  private static final String LOOPBACK = """
      gateway.stomp.listeners.tcp.default.bind = "127.0.0.1:0"
      gateway.stomp.listeners.ssl.default.enable = false
      gateway.stomp.listeners.ws.default.bind = "127.0.0.1:0"
      """;

  @Test
  void the_defaults_bind_tcp_and_websocket_and_listings_name_them() {
    try (TestGateway gw = TestGateway.builder().adapter(new StompAdapterFactory()).config(LOOPBACK).start()) {
      assertThat(gw.listeners()).filteredOn(l -> l.protocol().equals("stomp"))
          .extracting(l -> l.name()).containsExactlyInAnyOrder("tcp:default", "ws:default");
    }
  }

  @Test
  void an_out_of_range_value_names_its_key() {
    assertThatThrownBy(() -> TestGateway.builder().adapter(new StompAdapterFactory()).config(LOOPBACK)
        .config("gateway.stomp.ack_auto_qos = 2").start()).hasStackTraceContaining("ack_auto_qos");
    assertThatThrownBy(() -> TestGateway.builder().adapter(new StompAdapterFactory()).config(LOOPBACK)
        .config("gateway.stomp.frame.max_headers = 0").start()).hasStackTraceContaining("frame");
  }

  @Test
  void enable_false_starts_no_stomp_listener() {
    try (TestGateway gw = TestGateway.builder().adapter(new StompAdapterFactory()).config(LOOPBACK)
        .config("gateway.stomp.enable = false").start()) {
      assertThat(gw.listeners()).noneMatch(l -> l.protocol().equals("stomp"));
    }
  }
}
