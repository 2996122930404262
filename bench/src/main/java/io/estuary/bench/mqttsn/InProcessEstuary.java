package io.estuary.bench.mqttsn;

import io.estuary.bench.InProcessGateway;
import io.estuary.core.server.Gateway;
import io.estuary.mqttsn.MqttSnAdapterFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Estuary in this JVM with only the MQTT-SN adapter: in-memory store, no $SYS, MQTT/TCP and
 * {@code listeners} MQTT-SN UDP listeners, all on 127.0.0.1 with port 0.
 */
final class InProcessEstuary implements AutoCloseable {
  private final Gateway gateway;
  final List<InetSocketAddress> udp = new ArrayList<>();
  final InetSocketAddress mqtt;

  InProcessEstuary(int listeners, List<String> extraConfig) {
    StringBuilder hocon = new StringBuilder(InProcessGateway.base("mqttsn-bench") + """
        persistence.enabled = false
        gateway.mqttsn.listeners.udp.default.enable = false
        """);
    for (int i = 0; i < listeners; i++) {
      hocon.append("gateway.mqttsn.listeners.udp.l").append(i).append(".bind = \"127.0.0.1:0\"\n");
    }
    extraConfig.forEach(l -> hocon.append("gateway.mqttsn.").append(l).append('\n'));
    gateway = InProcessGateway.start(hocon.toString(), List.of(new MqttSnAdapterFactory()));
    for (int i = 0; i < listeners; i++) {
      udp.add(address("mqttsn", "udp:l" + i));
    }
    mqtt = address("mqtt", "tcp:default");
  }

  private InetSocketAddress address(String protocol, String name) {
    return InProcessGateway.address(gateway, protocol, name);
  }


  int sessions() {
    return (int) gateway.broker().connectedCount();
  }

  @Override
  public void close() {
    gateway.close();
  }
}
