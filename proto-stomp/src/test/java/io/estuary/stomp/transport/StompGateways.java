package io.estuary.stomp.transport;

import io.estuary.stomp.StompAdapterFactory;
import io.estuary.testkit.TestGateway;
import java.net.InetSocketAddress;

/** Test gateways with the STOMP adapter on loopback port 0 (tcp, ws; ssl when asked). */
final class StompGateways {
  static final String BASE = """
      gateway.stomp.listeners.tcp.default.bind = "127.0.0.1:0"
      gateway.stomp.listeners.ssl.default { enable = false, bind = "127.0.0.1:0" }
      gateway.stomp.listeners.ws.default.bind = "127.0.0.1:0"
      gateway.stomp.listeners.wss.default { enable = false, bind = "127.0.0.1:0" }
      """;

  private StompGateways() {}

  static TestGateway start(String... extra) {
    TestGateway.Builder b = TestGateway.builder().adapter(new StompAdapterFactory()).config(BASE);
    for (String e : extra) {
      b.config(e);
    }
    return b.start();
  }

  /** With the RocksDB store in {@code dir}: what a restart keeps. */
  static TestGateway startPersistent(java.nio.file.Path dir) {
    return TestGateway.builder().adapter(new StompAdapterFactory()).config(BASE).persistence(dir).start();
  }

  static InetSocketAddress tcp(TestGateway gw) {
    return gw.listener("stomp", "tcp:default");
  }
}
