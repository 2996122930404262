package io.estuary.bench.mqttsn;

import com.typesafe.config.ConfigFactory;
import io.estuary.core.api.ListenerInfo;
import io.estuary.core.config.ConfigLoader;
import io.estuary.core.server.Gateway;
import io.estuary.mqttsn.MqttSnAdapterFactory;
import java.net.InetSocketAddress;
import java.time.Clock;
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
    StringBuilder hocon = new StringBuilder("""
        node.name = "mqttsn-bench@127.0.0.1"
        node.shutdown_grace = 2s
        listeners.tcp.default.bind = "127.0.0.1:0"
        listeners.ssl.default.enable = false
        listeners.ws.default.enable = false
        listeners.wss.default.enable = false
        api.bind = "127.0.0.1:0"
        sys_topics.sys_msg_interval = 0s
        persistence.enabled = false
        gateway.mqttsn.listeners.udp.default.enable = false
        """);
    for (int i = 0; i < listeners; i++) {
      hocon.append("gateway.mqttsn.listeners.udp.l").append(i).append(".bind = \"127.0.0.1:0\"\n");
    }
    extraConfig.forEach(l -> hocon.append("gateway.mqttsn.").append(l).append('\n'));
    gateway = Gateway.start(ConfigLoader.bind(ConfigFactory.parseString(hocon.toString())),
        List.of(new MqttSnAdapterFactory()), Gateway::memoryStore, Clock.systemUTC());
    for (int i = 0; i < listeners; i++) {
      udp.add(address("mqttsn", "udp:l" + i));
    }
    mqtt = address("mqtt", "tcp:default");
  }

  private InetSocketAddress address(String protocol, String name) {
    for (ListenerInfo l : gateway.listeners()) {
      if (l.protocol().equals(protocol) && l.name().equals(name)) {
        return l.address();
      }
    }
    throw new IllegalStateException("no " + protocol + " listener " + name + " in " + gateway.listeners());
  }

  int sessions() {
    return (int) gateway.broker().connectedCount();
  }

  @Override
  public void close() {
    gateway.close();
  }
}
