package io.estuary.bench.uplink;

import io.estuary.bench.InProcessGateway;
import io.estuary.core.server.Gateway;
import io.estuary.uplink.UplinkAdapterFactory;
import java.nio.file.Path;
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
    String hocon = InProcessGateway.base("uplink-bench") + """
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
    gateway = InProcessGateway.start(hocon, List.of(new UplinkAdapterFactory()));
    mqttPort = InProcessGateway.address(gateway, "mqtt", "tcp:default").getPort();
  }

  @Override
  public void close() {
    gateway.close();
  }
}
