package io.estuary.mqttsn.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.estuary.api.Payload;
import io.estuary.mqttsn.MqttSnAdapterFactory;
import io.estuary.mqttsn.codec.MqttSnFrame.Disconnect;
import io.estuary.mqttsn.codec.MqttSnFrame.Puback;
import io.estuary.mqttsn.codec.MqttSnFrame.Publish;
import io.estuary.mqttsn.codec.MqttSnFrame.Regack;
import io.estuary.mqttsn.codec.MqttSnFrame.Register;
import io.estuary.mqttsn.codec.MqttSnFrame.Suback;
import io.estuary.mqttsn.codec.MqttSnFrame.Subscribe;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
import io.estuary.testkit.TestGateway;
import io.estuary.testkit.TestHookPlugin;
import java.net.InetSocketAddress;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** auth_on_register's mountpoint modifier for an MQTT-SN device over real UDP: its topics move under the tenant. */
@Timeout(60)
class MqttSnRegisterModifiersIT {
  static TestHookPlugin plugin = new TestHookPlugin();
  static TestGateway gw;
  static InetSocketAddress udp;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().plugin(plugin)
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
  void a_device_under_a_mountpoint_modifier_publishes_and_receives_under_the_tenant() throws Exception {
    Mqtt5BlockingClient mqtt = Mqtt5Client.builder().identifier("sn-mod-watcher").serverHost("127.0.0.1")
        .serverPort(gw.mqttPort()).buildBlocking();
    mqtt.connect();
    try (var watched = mqtt.publishes(MqttGlobalPublishFilter.ALL); MqttSnTestClient c = new MqttSnTestClient(udp)) {
      mqtt.subscribeWith().topicFilter("tenant/up/#").qos(MqttQos.AT_LEAST_ONCE).send();
      c.connect(TestHookPlugin.MOUNTED_PREFIX + "sn", 60);
      c.send(new Register(0, 1, "up/temp"));
      Regack ra = c.expect(Regack.class);
      assertThat(ra.returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      c.send(new Publish(false, 1, false, new TopicRef.Id(ra.topicId()), 2, Payload.utf8("20.5")));
      assertThat(c.expect(Puback.class)).isEqualTo(new Puback(ra.topicId(), 2, ReturnCode.ACCEPTED));
      assertThat(watched.receive(10, TimeUnit.SECONDS).orElseThrow().getTopic().toString()).isEqualTo("tenant/up/temp");

      c.send(new Subscribe(false, 0, 3, new TopicRef.Name("cmd/#")));
      assertThat(c.expect(Suback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      mqtt.publishWith().topic("tenant/cmd/led").payload("on".getBytes()).send();
      Register reg = c.expect(Register.class);
      assertThat(reg.topicName()).as("the device sees its own topic name").isEqualTo("cmd/led");
      c.send(new Regack(reg.topicId(), reg.msgId(), ReturnCode.ACCEPTED));
      assertThat(c.expect(Publish.class).data()).isEqualTo(Payload.utf8("on"));
      c.send(new Disconnect(OptionalInt.empty()));
    } finally {
      mqtt.disconnect();
    }
  }
}
