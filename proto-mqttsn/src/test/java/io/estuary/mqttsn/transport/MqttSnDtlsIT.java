package io.estuary.mqttsn.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.core.api.Payload;
import io.estuary.core.testkit.TestGateway;
import io.estuary.mqttsn.MqttSnAdapterFactory;
import io.estuary.mqttsn.codec.DecodeResult;
import io.estuary.mqttsn.codec.MqttSnCodec;
import io.estuary.mqttsn.codec.MqttSnFrame;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** MQTT-SN over DTLS (PSK) with a Scandium client, through the real core. */
@Timeout(60)
class MqttSnDtlsIT {

  static DTLSConnector client(String identity, String key, BlockingQueue<byte[]> in) throws Exception {
    Configuration c = new Configuration(DtlsConfig.DEFINITIONS, UdpConfig.DEFINITIONS, SystemConfig.DEFINITIONS);
    c.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
    DTLSConnector connector = new DTLSConnector(DtlsConnectorConfig.builder(c)
        .setAddress(new InetSocketAddress("127.0.0.1", 0))
        .setAdvancedPskStore(new AdvancedSinglePskStore(identity, key.getBytes(StandardCharsets.UTF_8)))
        .build());
    connector.setRawDataReceiver(raw -> in.add(raw.getBytes()));
    connector.start();
    return connector;
  }

  static void send(DTLSConnector c, InetSocketAddress to, MqttSnFrame f) {
    c.send(RawData.outbound(MqttSnCodec.encode(f), new AddressEndpointContext(to), null, false));
  }

  static MqttSnFrame receive(BlockingQueue<byte[]> in) throws InterruptedException {
    byte[] b = in.poll(10, TimeUnit.SECONDS);
    assertThat(b).as("a datagram from the gateway").isNotNull();
    return ((DecodeResult.Decoded) MqttSnCodec.decode(b)).frame();
  }

  @Test
  void psk_client_connects_and_publishes_over_dtls() throws Exception {
    try (TestGateway gw = TestGateway.builder()
        .config("""
            gateway.mqttsn.listeners.udp.default.bind = "127.0.0.1:0"
            gateway.mqttsn.listeners.dtls.default {
              enable = true
              bind = "127.0.0.1:0"
              psk = [{identity = "dev1", key = "secret"}]
            }
            """)
        .adapter(new MqttSnAdapterFactory())
        .start()) {
      InetSocketAddress dtls = gw.listener("mqttsn", "dtls:default");
      Mqtt5BlockingClient sub = Mqtt5Client.builder().identifier("dtls-sub").serverHost("127.0.0.1")
          .serverPort(gw.mqttPort()).buildBlocking();
      sub.connect();
      BlockingQueue<byte[]> in = new LinkedBlockingQueue<>();
      DTLSConnector c = client("dev1", "secret", in);
      try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
        sub.subscribeWith().topicFilter("ds").qos(MqttQos.AT_LEAST_ONCE).send();
        send(c, dtls, new Connect(false, true, 60, "sn-dtls"));
        assertThat(receive(in)).isEqualTo(new Connack(ReturnCode.ACCEPTED));
        send(c, dtls, new Publish(false, 1, false, new TopicRef.Short("ds"), 1, Payload.utf8("secure")));
        assertThat(receive(in)).isEqualTo(new Puback(0x6473, 1, ReturnCode.ACCEPTED));
        Optional<Mqtt5Publish> got = publishes.receive(5, TimeUnit.SECONDS);
        assertThat(got).isPresent();
        assertThat(new String(got.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("secure");
      } finally {
        c.destroy();
        sub.disconnect();
      }
    }
  }

  @Test
  void client_with_a_wrong_key_gets_nothing_through() throws Exception {
    try (TestGateway gw = TestGateway.builder()
        .config("""
            gateway.mqttsn.listeners.udp.default.bind = "127.0.0.1:0"
            gateway.mqttsn.listeners.dtls.default { enable = true, bind = "127.0.0.1:0", psk = [{identity = "dev1", key = "secret"}] }
            """)
        .adapter(new MqttSnAdapterFactory())
        .start()) {
      InetSocketAddress dtls = gw.listener("mqttsn", "dtls:default");
      BlockingQueue<byte[]> in = new LinkedBlockingQueue<>();
      DTLSConnector c = client("dev1", "wrong", in);
      try {
        send(c, dtls, new Connect(false, true, 60, "sn-bad"));
        assertThat(in.poll(2, TimeUnit.SECONDS)).isNull();
      } finally {
        c.destroy();
      }
    }
  }
}
