package io.estuary.bench;

import com.typesafe.config.ConfigFactory;
import io.estuary.api.ListenerInfo;
import io.estuary.api.ProtocolAdapterFactory;
import io.estuary.core.config.ConfigLoader;
import io.estuary.core.server.Gateway;
import io.estuary.mqtt.MqttAdapterFactory;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** Starts Estuary inside a benchmark's JVM: every listener on 127.0.0.1 port 0, no TLS/WS, no $SYS. */
public final class InProcessGateway {
  private InProcessGateway() {}

  /** The base config; {@code %s} is the node name's prefix. Later lines override it. */
  public static String base(String name) {
    return """
        node.name = "%s@127.0.0.1"
        node.shutdown_grace = 2s
        listeners.tcp.default.bind = "127.0.0.1:0"
        listeners.ssl.default.enable = false
        listeners.ws.default.enable = false
        listeners.wss.default.enable = false
        api.bind = "127.0.0.1:0"
        sys_topics.sys_msg_interval = 0s
        """.formatted(name);
  }

  /** Starts a gateway from {@code hocon} with the MQTT listeners, the given adapters and the store the config asks for. */
  public static Gateway start(String hocon, List<ProtocolAdapterFactory> adapters) {
    return Gateway.start(ConfigLoader.bind(ConfigFactory.parseString(hocon)), withMqtt(adapters), Gateway::defaultStore, Clock.systemUTC());
  }

  /** The MQTT listeners first (the order gateway-app's Main uses), then {@code adapters}. */
  public static List<ProtocolAdapterFactory> withMqtt(List<ProtocolAdapterFactory> adapters) {
    List<ProtocolAdapterFactory> all = new ArrayList<>();
    all.add(new MqttAdapterFactory());
    all.addAll(adapters);
    return all;
  }

  /** The bound address of {@code protocol} listener {@code name}. */
  public static InetSocketAddress address(Gateway gw, String protocol, String name) {
    for (ListenerInfo l : gw.listeners()) {
      if (l.protocol().equals(protocol) && l.name().equals(name)) {
        return l.address();
      }
    }
    throw new IllegalStateException("no " + protocol + " listener " + name + " in " + gw.listeners());
  }
}
