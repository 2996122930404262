package io.estuary.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.testkit.TestGateway;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The core's ACL applies to TCP devices: to what their frames publish and to their down-topic subscription. */
@Timeout(60)
class TcpAclIT {
  @Test
  void a_device_denied_its_up_topic_publishes_nothing_and_one_denied_its_down_topic_gets_no_subscription() throws Exception {
    try (TestGateway gw = TestGateway.builder().adapter(new TcpAdapterFactory()).config(EmqxTcpIT.BIND + """
        gateway.tcp.up_qos = 1
        authorization.rules = [
          { permission = deny, who = "clientid:abcd", action = publish, topics = ["tcp/abcd/up"] }
          { permission = deny, who = "clientid:abcd", action = subscribe, topics = ["tcp/abcd/dn"] }
        ]
        """).start()) {
      Mqtt5BlockingClient mqtt = Mqtt5Client.builder().identifier("app").serverHost("127.0.0.1").serverPort(gw.mqttPort())
          .buildBlocking();
      mqtt.connect();
      try (var publishes = mqtt.publishes(MqttGlobalPublishFilter.ALL);
          RawDevice denied = RawDevice.connect(gw.listener("tcp", "tcp:default"));
          RawDevice allowed = RawDevice.connect(gw.listener("tcp", "tcp:default"))) {
        mqtt.subscribeWith().topicFilter("tcp/+/up").send();
        denied.writeHex(EmqxTcpIT.CONNECT);
        denied.read(23);
        allowed.writeHex("10 00 07 3c 00 04 65 66 67 68"); // client id efgh
        allowed.read(23);
        await().atMost(Duration.ofSeconds(5)).until(() -> gw.session("abcd") != null && gw.session("efgh") != null
            && gw.session("efgh").subscriptions() == 1);
        assertThat(gw.session("abcd").subscriptions()).as("the core refused tcp/abcd/dn").isZero();
        denied.writeHex("30 00 01 41");
        denied.writeHex("40");
        assertThat(denied.readHex(1)).as("the denied DATATRANS was handled before this PING").isEqualTo("50");
        allowed.writeHex("30 00 01 42");
        Mqtt5Publish first = publishes.receive(10, TimeUnit.SECONDS).orElseThrow();
        assertThat(first.getTopic().toString()).as("abcd's earlier frame was not routed").isEqualTo("tcp/efgh/up");
      } finally {
        mqtt.disconnect();
      }
    }
  }
}
