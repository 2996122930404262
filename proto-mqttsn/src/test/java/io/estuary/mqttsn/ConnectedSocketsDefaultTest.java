package io.estuary.mqttsn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code connected_sockets = auto}: on only where the kernel finds a connected UDP socket by a 4-tuple hash. */
class ConnectedSocketsDefaultTest {

  @Test
  void auto_is_on_from_linux_6_13_and_off_before_and_elsewhere() {
    assertThat(MqttSnLimits.ListenerLimits.hashesConnectedUdp("Linux", "6.18.44-fc-v1272")).isTrue();
    assertThat(MqttSnLimits.ListenerLimits.hashesConnectedUdp("Linux", "6.13.0")).isTrue();
    assertThat(MqttSnLimits.ListenerLimits.hashesConnectedUdp("Linux", "7.0.1")).isTrue();
    assertThat(MqttSnLimits.ListenerLimits.hashesConnectedUdp("Linux", "6.12.9")).isFalse();
    assertThat(MqttSnLimits.ListenerLimits.hashesConnectedUdp("Linux", "6.1.0-28-amd64")).isFalse(); // Debian 12
    assertThat(MqttSnLimits.ListenerLimits.hashesConnectedUdp("Linux", "5.15.0")).isFalse();
    assertThat(MqttSnLimits.ListenerLimits.hashesConnectedUdp("Mac OS X", "14.1")).isFalse();
    assertThat(MqttSnLimits.ListenerLimits.hashesConnectedUdp("Linux", "garbage")).isFalse();
  }
}
