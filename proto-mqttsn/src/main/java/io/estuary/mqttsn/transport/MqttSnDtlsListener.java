package io.estuary.mqttsn.transport;

import io.estuary.core.api.GatewayContext;
import io.estuary.mqttsn.DtlsListenerConfig;
import io.estuary.mqttsn.MqttSnConfig;
import io.estuary.mqttsn.channel.Action;
import io.estuary.mqttsn.channel.MqttSnDispatcher;
import io.estuary.mqttsn.codec.MqttSnCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.security.Principal;
import java.util.List;
import java.util.concurrent.Executor;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedMultiPskStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT-SN over DTLS 1.2 (PSK) with Scandium. Scandium runs the handshakes on its own threads; every
 * decrypted datagram is handed to the adapter's event loop, which owns the clients as on plain UDP.
 */
final class MqttSnDtlsListener {
  private static final Logger drops = LoggerFactory.getLogger("io.estuary.mqttsn.drops");

  private final String name;
  private final DTLSConnector connector;
  private final MqttSnDispatcher dispatcher;
  private final GatewayContext ctx;

  MqttSnDtlsListener(String name, DtlsListenerConfig listener, MqttSnConfig config, GatewayContext ctx, Executor loop) {
    this.name = name;
    this.ctx = ctx;
    this.dispatcher = new MqttSnDispatcher(config, ctx, name, loop, this::write);
    // an explicit configuration: nothing is read from or written to Californium3.properties
    Configuration c = new Configuration(DtlsConfig.DEFINITIONS, UdpConfig.DEFINITIONS, SystemConfig.DEFINITIONS);
    c.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.SERVER_ONLY);
    c.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
    c.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
    AdvancedMultiPskStore psk = new AdvancedMultiPskStore();
    listener.psk().forEach((identity, key) -> psk.setKey(identity, key.bytes()));
    connector = new DTLSConnector(DtlsConnectorConfig.builder(c)
        .setAddress(listener.bind())
        .setAdvancedPskStore(psk)
        .build());
    connector.setRawDataReceiver(raw -> loop.execute(() -> onRaw(raw)));
  }

  void start() {
    try {
      connector.start();
    } catch (IOException e) {
      throw new UncheckedIOException("mqttsn listener " + name + " cannot bind " + connector.getAddress() + ": " + e, e);
    }
  }

  InetSocketAddress address() {
    return connector.getAddress();
  }

  MqttSnDispatcher dispatcher() {
    return dispatcher;
  }

  void stop() {
    connector.destroy();
  }

  private void onRaw(RawData raw) {
    Principal p = raw.getSenderIdentity();
    String identity = p instanceof PreSharedKeyIdentity psk ? psk.getIdentity() : p == null ? null : p.getName();
    MqttSnDatagramHandler.dispatch(dispatcher, raw.getInetSocketAddress(), raw.getBytes(), identity);
  }

  private void write(List<Action> actions) {
    for (Action a : actions) {
      if (a instanceof Action.Send s) {
        byte[] bytes;
        try {
          bytes = MqttSnCodec.encode(s.frame());
        } catch (IllegalArgumentException e) {
          drops.debug("mqttsn frame to {} not sent: {}", s.to(), e.getMessage());
          ctx.metrics().counter("mqttsn.drops", "reason", "too_large").increment();
          continue;
        }
        connector.send(RawData.outbound(bytes, new AddressEndpointContext(s.to()), null, false));
      }
    }
  }
}
