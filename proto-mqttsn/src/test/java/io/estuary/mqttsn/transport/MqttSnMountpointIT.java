package io.estuary.mqttsn.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.estuary.api.Payload;
import io.estuary.mqttsn.MqttSnAdapterFactory;
import io.estuary.mqttsn.codec.MqttSnFrame.Publish;
import io.estuary.mqttsn.codec.MqttSnFrame.Regack;
import io.estuary.mqttsn.codec.MqttSnFrame.Register;
import io.estuary.mqttsn.codec.MqttSnFrame.Suback;
import io.estuary.mqttsn.codec.MqttSnFrame.Subscribe;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
import io.estuary.testkit.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A mountpoint puts MQTT-SN clients under their own subtree; a shared subscription keeps
 * {@code $share/<group>/} in front of the mounted filter ({@code $share/g/site1/room/+}), so it is
 * still shared and still matches what is published under the mountpoint.
 */
@Timeout(60)
class MqttSnMountpointIT {
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder()
        .config("""
            gateway.mqttsn {
              listeners.udp.default.bind = "127.0.0.1:0"
              mountpoint = "site1/"
            }
            """)
        .adapter(new MqttSnAdapterFactory())
        .start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  /** Subscribes {@code filter} at QoS 0, then expects what an MQTT client publishes on {@code mounted}. */
  static void subscribeAndReceive(String clientId, String filter, String mounted, String expectedName) {
    Mqtt5BlockingClient pub = Mqtt5Client.builder().identifier(clientId + "-pub").serverHost("127.0.0.1")
        .serverPort(gw.mqttPort()).buildBlocking();
    pub.connect();
    try (MqttSnTestClient c = new MqttSnTestClient(gw.listener("mqttsn", "udp:default"))) {
      c.connect(clientId, 60);
      c.send(new Subscribe(false, 0, 1, new TopicRef.Name(filter)));
      assertThat(c.expect(Suback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      pub.publishWith().topic(mounted).qos(MqttQos.AT_MOST_ONCE).payload("21.5".getBytes()).send();
      Register reg = c.expect(Register.class);
      assertThat(reg.topicName()).as("the device sees the topic without the mountpoint").isEqualTo(expectedName);
      c.send(new Regack(reg.topicId(), reg.msgId(), ReturnCode.ACCEPTED));
      Publish p = c.expect(Publish.class);
      assertThat(p.topic()).isEqualTo(new TopicRef.Id(reg.topicId()));
      assertThat(p.data()).isEqualTo(Payload.utf8("21.5"));
    } finally {
      pub.disconnect();
    }
  }

  @Test
  void a_subscription_under_a_mountpoint_receives_what_is_published_there() {
    subscribeAndReceive("sn-mounted", "room/+", "site1/room/1", "room/1");
  }

  @Test
  void a_shared_subscription_under_a_mountpoint_keeps_its_share_prefix_in_front() {
    subscribeAndReceive("sn-shared", "$share/g/room/+", "site1/room/2", "room/2");
  }
}
