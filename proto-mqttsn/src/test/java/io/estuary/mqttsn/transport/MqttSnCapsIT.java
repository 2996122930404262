package io.estuary.mqttsn.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.api.Payload;
import io.estuary.mqttsn.codec.MqttSnFrame;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every cap of issue #13 on a real UDP listener, from raw clients: the refused client receives MQTT-SN's
 * return code, and {@code mqttsn.drops{reason=<key>}} counts exactly the refusals.
 */
@Timeout(60)
class MqttSnCapsIT extends MqttSnGatewayFixture {
  @Test
  void a_connect_beyond_max_connections_gets_connack_congestion() {
    start("gateway.mqttsn.listeners.udp.default.max_connections = 2");
    try (MqttSnTestClient a = sn(); MqttSnTestClient b = sn(); MqttSnTestClient c = sn()) {
      a.connect("cap-a", 60);
      b.connect("cap-b", 60);
      c.send(new Connect(false, true, 60, "cap-c"));
      assertThat(c.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.REJECTED_CONGESTION);
      assertThat(drops("max_connections")).isEqualTo(1.0);
      a.send(Disconnect.plain()); // a channel freed: the next CONNECT is accepted
      a.expect(Disconnect.class);
      c.connect("cap-c", 60);
      assertThat(drops("max_connections")).isEqualTo(1.0);
    }
  }

  @Test
  void register_and_subscribe_beyond_max_topic_ids_get_congestion() {
    start("gateway.mqttsn.max_topic_ids = 2");
    try (MqttSnTestClient c = sn()) {
      c.connect("cap-ids", 60);
      c.send(new Register(0, 1, "ids/one"));
      assertThat(c.expect(Regack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      c.send(new Register(0, 2, "ids/two"));
      assertThat(c.expect(Regack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      c.send(new Register(0, 3, "ids/three"));
      assertThat(c.expect(Regack.class)).isEqualTo(new Regack(0, 3, ReturnCode.REJECTED_CONGESTION));
      c.send(new Subscribe(false, 0, 4, new TopicRef.Name("ids/four")));
      assertThat(c.expect(Suback.class).returnCode()).isEqualTo(ReturnCode.REJECTED_CONGESTION);
      c.send(new Register(0, 5, "ids/one")); // an id the client holds is still answered
      assertThat(c.expect(Regack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      assertThat(drops("max_topic_ids")).isEqualTo(2.0);
    }
  }

  @Test
  void names_longer_than_max_topic_length_get_invalid_topic_id() {
    start("gateway.mqttsn.max_topic_length = 8");
    try (MqttSnTestClient c = sn()) {
      c.connect("cap-len", 60);
      c.send(new Register(0, 1, "12345678"));
      assertThat(c.expect(Regack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      c.send(new Register(0, 2, "123456789"));
      assertThat(c.expect(Regack.class)).isEqualTo(new Regack(0, 2, ReturnCode.REJECTED_INVALID_TOPIC_ID));
      c.send(new Register(0, 3, "ééééé")); // 5 characters, 10 bytes: the limit is in bytes
      assertThat(c.expect(Regack.class).returnCode()).isEqualTo(ReturnCode.REJECTED_INVALID_TOPIC_ID);
      c.send(new Subscribe(false, 0, 4, new TopicRef.Name("lon/+/xy")));
      assertThat(c.expect(Suback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      c.send(new Subscribe(false, 0, 5, new TopicRef.Name("longer/#")));
      assertThat(c.expect(Suback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      c.send(new Subscribe(false, 0, 6, new TopicRef.Name("longest/#")));
      assertThat(c.expect(Suback.class).returnCode()).isEqualTo(ReturnCode.REJECTED_INVALID_TOPIC_ID);
      assertThat(drops("max_topic_length")).isEqualTo(3.0);
    }
    try (MqttSnTestClient w = sn()) { // the will topic too: CONNACK 0x02
      w.send(new Connect(true, true, 60, "cap-will"));
      w.expect(WillTopicReq.class);
      w.send(new WillTopic(0, false, "will/too/long"));
      assertThat(w.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.REJECTED_INVALID_TOPIC_ID);
      assertThat(drops("max_topic_length")).isEqualTo(4.0);
    }
  }

  @Test
  void a_wildcard_subscribe_registers_retained_topics_no_faster_than_the_inflight_window() {
    start("gateway.mqttsn.max_inflight = 2");
    int topics = 6;
    try (MqttSnTestClient pub = sn(); MqttSnTestClient sub = sn()) {
      pub.connect("cap-retainer", 60);
      for (int i = 0; i < topics; i++) {
        pub.send(new Register(0, 100 + i, "ret/t" + i));
        int id = pub.expect(Regack.class).topicId();
        pub.send(new Publish(false, 1, true, new TopicRef.Id(id), 200 + i, Payload.utf8("r" + i)));
        assertThat(pub.expect(Puback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      }
      sub.connect("cap-wild", 60);
      sub.send(new Subscribe(false, 0, 1, new TopicRef.Name("ret/#")));
      List<Register> window = new ArrayList<>();
      MqttSnFrame f;
      while ((f = sub.poll(Duration.ofSeconds(1)).orElse(null)) != null) {
        if (f instanceof Register r) {
          window.add(r);
        } else {
          assertThat(f).isInstanceOf(Suback.class);
        }
      }
      assertThat(window).as("REGISTERs before any REGACK: the inflight window").hasSize(2);
      // each REGACK lets its retained PUBLISH go and, while topics are left, the next REGISTER out
      List<String> delivered = new ArrayList<>();
      List<Register> pending = new ArrayList<>(window);
      int registered = window.size();
      while (!pending.isEmpty()) {
        Register r = pending.remove(0);
        sub.send(new Regack(r.topicId(), r.msgId(), ReturnCode.ACCEPTED));
        int expected = registered < topics ? 2 : 1;
        for (int i = 0; i < expected; i++) {
          MqttSnFrame next = sub.receive();
          if (next instanceof Register more) {
            pending.add(more);
            registered++;
          } else {
            delivered.add(new String(((Publish) next).data().toByteArray(), java.nio.charset.StandardCharsets.UTF_8));
          }
        }
        assertThat(pending.size()).as("REGISTERs in flight").isLessThanOrEqualTo(2);
      }
      assertThat(registered).isEqualTo(topics);
      assertThat(delivered).hasSize(topics).doesNotHaveDuplicates();
    }
  }

  @Test
  void a_forwarder_beyond_max_forwarder_nodes_gets_an_encapsulated_connack_congestion() {
    start("gateway.mqttsn.max_forwarder_nodes = 1");
    Payload node1 = Payload.copyOf(new byte[] {0x01});
    Payload node2 = Payload.copyOf(new byte[] {0x02});
    try (MqttSnTestClient fwd = sn(); MqttSnTestClient other = sn()) {
      fwd.send(new Encapsulated(0, node1, new Connect(false, true, 60, "fwd-n1")));
      assertThat(fwd.expect(Encapsulated.class)).isEqualTo(new Encapsulated(0, node1, new Connack(ReturnCode.ACCEPTED)));
      fwd.send(new Encapsulated(0, node2, new Connect(false, true, 60, "fwd-n2")));
      assertThat(fwd.expect(Encapsulated.class))
          .isEqualTo(new Encapsulated(0, node2, new Connack(ReturnCode.REJECTED_CONGESTION)));
      other.send(new Encapsulated(0, node2, new Connect(false, true, 60, "fwd-other-n2"))); // another forwarder
      assertThat(other.expect(Encapsulated.class)).isEqualTo(new Encapsulated(0, node2, new Connack(ReturnCode.ACCEPTED)));
      assertThat(drops("max_forwarder_nodes")).isEqualTo(1.0);
    }
  }

  @Test
  void encapsulated_messages_from_a_forwarder_outside_forwarders_allow_are_dropped() {
    start("gateway.mqttsn.forwarders.allow = [\"127.0.0.2\"]");
    Payload node = Payload.copyOf(new byte[] {0x07});
    try (MqttSnTestClient allowed = sn("127.0.0.2"); MqttSnTestClient stranger = sn("127.0.0.1")) {
      stranger.send(new Encapsulated(0, node, new Connect(false, true, 60, "fwd-stranger")));
      allowed.send(new Encapsulated(0, node, new Connect(false, true, 60, "fwd-allowed")));
      assertThat(allowed.expect(Encapsulated.class)).isEqualTo(new Encapsulated(0, node, new Connack(ReturnCode.ACCEPTED)));
      await().atMost(Duration.ofSeconds(5)).until(() -> drops("forwarder_not_allowed") == 1.0);
      assertThat(stranger.poll(Duration.ofMillis(300))).as("no answer to a forwarder not allowed").isEmpty();
      stranger.connect("direct-still-fine", 60); // directly attached clients are not forwarders
      assertThat(gw.session("fwd-stranger")).isNull();
    }
  }
}
