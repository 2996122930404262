package io.estuary.mqttsn.transport;

import io.estuary.cf.DtlsSettings;
import io.estuary.cf.PeerIdentity;
import io.estuary.api.GatewayContext;
import io.estuary.mqttsn.DtlsListenerConfig;
import io.estuary.mqttsn.MqttSnConfig;
import io.estuary.mqttsn.channel.Action;
import io.estuary.mqttsn.channel.MqttSnDispatcher;
import io.estuary.mqttsn.channel.TopicIdStore;
import io.estuary.mqttsn.codec.MqttSnCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Executor;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.DtlsEndpointContext;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT-SN over DTLS 1.2 with Scandium: PSK, X.509 and raw public keys as cf-support's {@link
 * DtlsSettings} configure them, with RFC 9146 Connection IDs. Scandium runs the handshakes on its own
 * threads; every decrypted datagram is handed to the adapter's event loop, which owns the clients as on
 * plain UDP. A record that arrives under a known Connection ID from a new address (NAT rebinding) moves
 * the client there.
 */
final class MqttSnDtlsListener {
  private static final Logger log = LoggerFactory.getLogger(MqttSnDtlsListener.class);
  private static final Logger drops = LoggerFactory.getLogger("io.estuary.mqttsn.drops");

  private final String name;
  private final DTLSConnector connector;
  private final MqttSnDispatcher dispatcher;
  private final GatewayContext ctx;

  MqttSnDtlsListener(String name, DtlsListenerConfig listener, MqttSnConfig config, GatewayContext ctx, Executor loop,
      TopicIdStore topicIds) {
    this.name = name;
    this.ctx = ctx;
    DtlsSettings settings = listener.settings();
    this.dispatcher = new MqttSnDispatcher(config, ctx, name, loop, this::write, topicIds, settings.identityAs());
    // an explicit configuration: nothing is read from or written to Californium3.properties
    Configuration base = new Configuration(DtlsConfig.DEFINITIONS, UdpConfig.DEFINITIONS, SystemConfig.DEFINITIONS);
    base.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
    base.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
    Configuration c = settings.configuration(base);
    connector = new DTLSConnector(settings.connectorConfig(c, listener.bind()));
    connector.setRawDataReceiver(raw -> loop.execute(() -> onRaw(raw)));
    log.debug("mqttsn listener {}: {}", name, settings);
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
    EndpointContext ec = raw.getEndpointContext();
    InetSocketAddress from = raw.getInetSocketAddress();
    InetSocketAddress previous = ec.get(DtlsEndpointContext.KEY_PREVIOUS_ADDRESS);
    if (previous != null && !previous.equals(from)) {
      dispatcher.rebind(previous, from); // RFC 9146: same connection id, new address
    }
    PeerIdentity identity = PeerIdentity.of(raw.getSenderIdentity());
    MqttSnDatagramHandler.dispatch(dispatcher, from, raw.getBytes(), identity);
  }

  private void write(List<Action> actions) {
    for (Action a : actions) {
      if (a instanceof Action.Send s) {
        byte[] bytes;
        try {
          bytes = MqttSnCodec.encode(s.frame());
        } catch (IllegalArgumentException e) {
          drops.debug("mqttsn frame to {} not sent: {}", s.to(), e.getMessage());
          ctx.metrics().counter("drops", "reason", "too_large").increment();
          continue;
        }
        connector.send(RawData.outbound(bytes, new AddressEndpointContext(s.to()), null, false));
      }
    }
  }
}
