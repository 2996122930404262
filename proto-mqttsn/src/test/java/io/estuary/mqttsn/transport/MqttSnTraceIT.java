package io.estuary.mqttsn.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.api.Payload;
import io.estuary.mqttsn.MqttSnAdapterFactory;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
import io.estuary.testkit.TestGateway;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code estuary ctl trace start client=ID} writes every MQTT-SN message in and out of that client, a forwarded
 * client's under its own client id (unwrapped), payloads as sizes, and nothing of other clients.
 */
@Timeout(60)
class MqttSnTraceIT {
  static TestGateway gw;
  static InetSocketAddress udp;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder()
        .config("gateway.mqttsn.listeners.udp.default.bind = \"127.0.0.1:0\"")
        .adapter(new MqttSnAdapterFactory())
        .start();
    udp = gw.listener("mqttsn", "udp:default");
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @Test
  void a_traced_client_has_its_messages_in_both_directions_in_the_trace_and_another_client_has_none() throws Exception {
    Path file = gw.startTrace("sn-traced");
    int registered; // a new plain-UDP client's first topic id is drawn at random (EchoProof)
    try (MqttSnTestClient c = new MqttSnTestClient(udp); MqttSnTestClient other = new MqttSnTestClient(udp)) {
      other.connect("sn-untraced", 60);
      c.connect("sn-traced", 60);
      c.send(new Register(0, 1, "traced/a"));
      Regack ack = c.expect(Regack.class);
      assertThat(ack.returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      registered = ack.topicId();
      c.send(new Publish(false, 1, false, new TopicRef.Id(ack.topicId()), 2, Payload.utf8("hello")));
      assertThat(c.expect(Puback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      other.send(new Register(0, 1, "untraced/a"));
      other.expect(Regack.class);
      c.send(Disconnect.plain());
      c.expect(Disconnect.class);
      await().atMost(Duration.ofSeconds(10))
          .until(() -> Files.readString(file).contains("mqttsn OUT sn-traced DISCONNECT"));
    } finally {
      gw.stopTrace("sn-traced");
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).as("%s", lines)
        .anyMatch(l -> l.contains("mqttsn IN  sn-traced CONNECT will=false cleanSession=true durationSeconds=60"))
        .anyMatch(l -> l.contains("mqttsn OUT sn-traced CONNACK returnCode=ACCEPTED"))
        .anyMatch(l -> l.contains("mqttsn IN  sn-traced REGISTER topicId=0 msgId=1 topicName=traced/a"))
        .anyMatch(l -> l.contains("mqttsn OUT sn-traced REGACK topicId=" + registered + " msgId=1 returnCode=ACCEPTED"))
        .anyMatch(l -> l.contains("mqttsn IN  sn-traced PUBLISH dup=false qos=1") && l.endsWith("data=Payload[5 bytes]"))
        .anyMatch(l -> l.contains("mqttsn OUT sn-traced PUBACK"))
        .anyMatch(l -> l.contains("mqttsn IN  sn-traced DISCONNECT"))
        .noneMatch(l -> l.contains("untraced") || l.contains("hello"));
  }

  @Test
  void a_client_behind_a_forwarder_is_traced_under_its_own_client_id_with_its_messages_unwrapped() throws Exception {
    Path file = gw.startTrace("sn-forwarded");
    Payload node = Payload.copyOf(new byte[] {0x07});
    try (MqttSnTestClient fwd = new MqttSnTestClient(udp)) {
      fwd.send(new Encapsulated(0, node, new Connect(false, true, 30, "sn-forwarded")));
      assertThat(fwd.expect(Encapsulated.class)).isEqualTo(new Encapsulated(0, node, new Connack(ReturnCode.ACCEPTED)));
      fwd.send(new Encapsulated(0, node, new PingReq("")));
      assertThat(fwd.expect(Encapsulated.class).message()).isEqualTo(new PingResp());
      await().atMost(Duration.ofSeconds(10))
          .until(() -> Files.readString(file).contains("mqttsn OUT sn-forwarded PINGRESP"));
    } finally {
      gw.stopTrace("sn-forwarded");
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).as("%s", lines)
        .anyMatch(l -> l.contains("mqttsn IN  sn-forwarded CONNECT") && l.contains("durationSeconds=30"))
        .anyMatch(l -> l.contains("mqttsn OUT sn-forwarded CONNACK returnCode=ACCEPTED"))
        .anyMatch(l -> l.contains("mqttsn IN  sn-forwarded PINGREQ"))
        .noneMatch(l -> l.contains("ENCAPSULATED"));
  }
}
