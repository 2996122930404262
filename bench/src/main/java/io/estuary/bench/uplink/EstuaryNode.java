package io.estuary.bench.uplink;

import com.typesafe.config.ConfigFactory;
import io.estuary.core.api.ListenerInfo;
import io.estuary.core.config.ConfigLoader;
import io.estuary.core.server.Gateway;
import io.estuary.uplink.UplinkAdapterFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * Estuary in this JVM with only the uplink adapter: MQTT/TCP on 127.0.0.1:0, one uplink {@code bench}
 * to mosquitto forwarding {@code devices/#} to {@code up/devices/#} with each message's own QoS.
 * The store is memory, or RocksDB in {@code persistenceDir} when it is not null.
 */
final class EstuaryNode implements AutoCloseable {
  static final String UPLINK = "bench";

  private final Gateway gateway;
  final int mqttPort;

  EstuaryNode(int upstreamPort, int maxInflight, long bufferMessages, Path persistenceDir) {
    String hocon = """
        node.name = "uplink-bench@127.0.0.1"
        node.shutdown_grace = 2s
        listeners.tcp.default.bind = "127.0.0.1:0"
        listeners.ssl.default.enable = false
        listeners.ws.default.enable = false
        listeners.wss.default.enable = false
        api.bind = "127.0.0.1:0"
        sys_topics.sys_msg_interval = 0s
        mqtt.max_inflight = %d
        persistence { enabled = %b, dir = "%s" }
        uplink.%s {
          enable = true
          server = "127.0.0.1:%d"
          clientid = "estuary-bench"
          reconnect { min = 100ms, max = 500ms }
          max_inflight = %d
          buffer.max_messages = %d
          status_interval = 1s
          forwards = [{ filter = "devices/#", remote_topic = "up/${topic}", qos = "${qos}" }]
        }
        """.formatted(Math.max(32, maxInflight), persistenceDir != null, persistenceDir == null ? "data" : persistenceDir,
        UPLINK, upstreamPort, maxInflight, bufferMessages);
    gateway = Gateway.start(ConfigLoader.bind(ConfigFactory.parseString(hocon)), List.of(new UplinkAdapterFactory()),
        persistenceDir == null ? Gateway::memoryStore : Gateway::defaultStore, Clock.systemUTC());
    mqttPort = gateway.listeners().stream().filter(l -> l.protocol().equals("mqtt") && l.name().equals("tcp:default"))
        .map(ListenerInfo::address).findFirst().orElseThrow().getPort();
  }

  @Override
  public void close() {
    gateway.close();
  }
}
