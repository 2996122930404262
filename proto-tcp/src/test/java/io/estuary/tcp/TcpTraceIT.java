package io.estuary.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.estuary.testkit.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code estuary ctl trace start client=ID} writes every EMQX TCP frame in and out of that device (type and
 * fields, the password masked, payloads as sizes) and nothing of another device.
 */
@Timeout(60)
class TcpTraceIT {
  static final String CONNECT_ABCD = "10 00 07 3c 00 04 61 62 63 64"; // keepalive 60, client id abcd
  static final String CONNECT_ABCE = "10 00 07 3c 00 04 61 62 63 65"; // client id abce

  @Test
  void a_traced_device_has_its_frames_in_both_directions_in_the_trace_and_another_device_has_none() throws Exception {
    try (TestGateway gw = TestGateway.builder().adapter(new TcpAdapterFactory()).config(EmqxTcpIT.BIND).start()) {
      Mqtt5BlockingClient mqtt = Mqtt5Client.builder().identifier("app").serverHost("127.0.0.1")
          .serverPort(gw.mqttPort()).buildBlocking();
      mqtt.connect();
      Path file = gw.startTrace("abcd");
      try (RawDevice d = RawDevice.connect(gw.listener("tcp", "tcp:default"));
          RawDevice other = RawDevice.connect(gw.listener("tcp", "tcp:default"))) {
        other.writeHex(CONNECT_ABCE);
        assertThat(other.readHex(23)).isEqualTo(EmqxTcpIT.CONNACK_OK);
        other.writeHex("30 00 03 61 62 63");
        d.writeHex(CONNECT_ABCD);
        assertThat(d.readHex(23)).isEqualTo(EmqxTcpIT.CONNACK_OK);
        d.writeHex("30 00 04 61 62 63 63");
        await().atMost(Duration.ofSeconds(10))
            .until(() -> gw.session("abcd") != null && gw.session("abcd").subscriptions() == 1);
        mqtt.publishWith().topic("tcp/abcd/dn").payload("on".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();
        assertThat(d.readHex(5)).isEqualTo("30 00 02 6f 6e");
        d.writeHex("40");
        assertThat(d.readHex(1)).isEqualTo("50");
        d.writeHex("60");
        assertThat(d.closedByServer()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(file).contains("tcp IN  abcd DISCONNECT"));
      } finally {
        gw.stopTrace("abcd");
        mqtt.disconnect();
      }
      List<String> lines = Files.readAllLines(file);
      assertThat(lines).as("%s", lines)
          .anyMatch(l -> l.contains("tcp IN  abcd CONNECT version=0 keepalive=60 clientid=abcd username=null password=none"))
          .anyMatch(l -> l.contains("tcp OUT abcd CONNACK code=0 message=Connect Successfully"))
          .anyMatch(l -> l.contains("tcp IN  abcd DATATRANS qos=0 payload=4B"))
          .anyMatch(l -> l.contains("tcp OUT abcd DATATRANS qos=0 payload=2B"))
          .anyMatch(l -> l.contains("tcp IN  abcd PING"))
          .anyMatch(l -> l.contains("tcp OUT abcd PONG"))
          .noneMatch(l -> l.contains("abce") || l.contains("payload=3B"));
    }
  }
}
