package io.estuary.bench.coap;

import io.estuary.bench.InProcessGateway;
import io.estuary.cf.CfSettings;
import io.estuary.coap.CoapAdapterFactory;
import io.estuary.core.server.Gateway;
import java.net.InetSocketAddress;
import java.util.List;
import org.eclipse.californium.core.CoapExchange;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.elements.config.Configuration;

/** The two servers under test, each on 127.0.0.1 with an ephemeral port. */
final class CoapTargets {
  private CoapTargets() {}

  /** A running server: where to send, what reached MQTT (Estuary only), how to stop it. */
  interface Target extends AutoCloseable {
    InetSocketAddress address();

    /** Messages the MQTT subscriber received so far; -1 when there is no MQTT side. */
    long mqttReceived();

    @Override
    void close();
  }

  /** Californium with the same configuration as Estuary's CoAP listener, and a resource that only answers 2.04. */
  static Target bare(CfSettings settings) {
    Configuration cf = settings.toConfiguration();
    CoapServer server = new CoapServer(cf);
    server.addEndpoint(new CoapEndpoint.Builder().setConfiguration(cf)
        .setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build());
    server.add(new CoapResource("ps") {
      @Override
      public Resource getChild(String name) {
        return this;
      }

      @Override
      public void handlePOST(CoapExchange ex) {
        ex.respond(ResponseCode.CHANGED);
      }

      @Override
      public void handlePUT(CoapExchange ex) {
        ex.respond(ResponseCode.CHANGED);
      }
    });
    server.start();
    InetSocketAddress a = server.getEndpoints().get(0).getAddress();
    return new Target() {
      @Override public InetSocketAddress address() { return a; }
      @Override public long mqttReceived() { return -1; }
      @Override public void close() {
        server.stop();
        server.destroy();
      }
    };
  }

  /**
   * Estuary with only the CoAP adapter (in-memory store, no $SYS) and one MQTT 3.1.1 subscriber on
   * {@code bench/#} at QoS 0 counting what arrives. {@code coapConfig} lines are relative to {@code gateway.coap}.
   */
  static Target estuary(List<String> coapConfig) {
    StringBuilder hocon = new StringBuilder(InProcessGateway.base("coap-bench") + """
        persistence.enabled = false
        gateway.coap.listeners.udp.default.bind = "127.0.0.1:0"
        # throughput of the server, not of the overload limits (all clients send from 127.0.0.1)
        gateway.coap.listeners.udp.default.max_datagram_rate = infinity
        gateway.coap.listeners.udp.default.source_datagram_rate = infinity
        """);
    coapConfig.forEach(l -> hocon.append("gateway.coap.").append(l).append('\n'));
    Gateway gw = InProcessGateway.start(hocon.toString(), List.of(new CoapAdapterFactory()));
    InetSocketAddress coap = InProcessGateway.address(gw, "coap", "udp:default");
    int mqttPort = InProcessGateway.address(gw, "mqtt", "tcp:default").getPort();
    MqttCounter mqtt;
    try {
      mqtt = new MqttCounter(new InetSocketAddress("127.0.0.1", mqttPort), "coap-bench-sub", "bench/#");
    } catch (java.io.IOException e) {
      gw.close();
      throw new IllegalStateException("MQTT subscriber could not connect to Estuary", e);
    }
    return new Target() {
      @Override public InetSocketAddress address() { return coap; }
      @Override public long mqttReceived() { return mqtt.received(); }
      @Override public void close() {
        mqtt.close();
        gw.close();
      }
    };
  }


}
