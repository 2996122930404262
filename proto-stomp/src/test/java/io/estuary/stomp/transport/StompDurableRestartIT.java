package io.estuary.stomp.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.estuary.stomp.codec.Command;
import io.estuary.stomp.codec.StompFrame;
import io.estuary.testkit.TestGateway;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A durable STOMP subscription lives in the RocksDB store: it queues while the client is away, across a restart. */
@Timeout(120)
class StompDurableRestartIT {
  @TempDir
  Path dir;

  @Test
  void a_durable_subscription_and_its_queued_messages_survive_a_gateway_restart() {
    try (TestGateway gw = StompGateways.startPersistent(dir)) {
      try (RawStompClient c = new RawStompClient(StompGateways.tcp(gw))) {
        c.connect("client-id", "keeper");
        c.write("SUBSCRIBE\nid:k\ndestination:keep/#\nack:client\nactivemq.subscriptionName:keeper-sub\nreceipt:r\n\n\0");
        assertThat(c.next().command()).isEqualTo(Command.RECEIPT);
        c.write("DISCONNECT\nreceipt:bye\n\n\0");
        assertThat(c.next().header("receipt-id")).isEqualTo("bye");
      }
      Mqtt5BlockingClient mq = Mqtt5Client.builder().identifier("pub").serverHost("127.0.0.1")
          .serverPort(gw.mqttPort()).buildBlocking();
      mq.connect();
      for (int i = 0; i < 3; i++) {
        mq.publishWith().topic("keep/" + i).qos(MqttQos.AT_LEAST_ONCE).payload(("m" + i).getBytes()).send();
      }
      mq.disconnect();
    }
    try (TestGateway gw = StompGateways.startPersistent(dir)) {
      assertThat(gw.session("keeper")).isNotNull();
      assertThat(gw.session("keeper").protocol()).isEqualTo("stomp");
      try (RawStompClient c = new RawStompClient(StompGateways.tcp(gw))) {
        c.connect("client-id", "keeper");
        c.write("SUBSCRIBE\nid:k\ndestination:keep/#\nack:client\nactivemq.subscriptionName:keeper-sub\n\n\0");
        StompFrame last = null;
        for (int i = 0; i < 3; i++) {
          last = c.next();
          assertThat(last.command()).isEqualTo(Command.MESSAGE);
          assertThat(last.body().asUtf8()).isEqualTo("m" + i);
        }
        c.write("ACK\nid:" + last.header("ack") + "\n\n\0DISCONNECT\nreceipt:bye\n\n\0"); // cumulative: all three
        assertThat(c.next().header("receipt-id")).isEqualTo("bye");
      }
    }
  }
}
