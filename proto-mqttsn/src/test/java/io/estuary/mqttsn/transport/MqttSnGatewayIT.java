package io.estuary.mqttsn.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.api.Payload;
import io.estuary.testkit.TestGateway;
import io.estuary.mqttsn.MqttSnAdapterFactory;
import io.estuary.mqttsn.codec.MqttSnFrame;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MQTT-SN over real UDP through the real core, with hivemq-mqtt-client on the MQTT side. */
@Timeout(60)
class MqttSnGatewayIT {
  static TestGateway gw;
  static InetSocketAddress udp;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder()
        .config("""
            gateway.mqttsn {
              gateway_id = 42
              # the wake-up test below roams to a new port, which a listener allows only when told to
              listeners.udp.default { bind = "127.0.0.1:0", wakeup_from_new_address = true }
              predefined = [{id = 7, topic = "pre/seven"}]
              retry_interval = 2s
              # the will test below uses a 1 s keepalive, below the default floor for UDP clients
              min_keepalive = 0s
            }
            """)
        .adapter(new MqttSnAdapterFactory())
        .start();
    udp = gw.listener("mqttsn", "udp:default");
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static Mqtt5BlockingClient mqtt(String id) {
    Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    c.connect();
    return c;
  }

  static MqttSnTestClient sn() {
    return new MqttSnTestClient(udp);
  }

  static String utf8(Mqtt5Publish p) {
    return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
  }

  /** Answers a gateway PUBLISH as the spec wants for its QoS and returns it. */
  static Publish acceptPublish(MqttSnTestClient c) {
    Publish p = c.expect(Publish.class);
    if (p.qos() == 1) {
      c.send(new Puback(io.estuary.mqttsn.codec.MqttSnCodec.topicIdField(p.topic()), p.msgId(), ReturnCode.ACCEPTED));
    } else if (p.qos() == 2) {
      c.send(new Pubrec(p.msgId()));
      assertThat(c.expect(Pubrel.class).msgId()).isEqualTo(p.msgId());
      c.send(new Pubcomp(p.msgId()));
    }
    return p;
  }

  @Test
  void searchgw_is_answered_with_gwinfo_carrying_the_gateway_id() {
    try (MqttSnTestClient c = sn()) {
      c.send(new SearchGw(1));
      assertThat(c.expect(GwInfo.class).gatewayId()).isEqualTo(42);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void registered_publish_reaches_an_mqtt_subscriber_at_each_qos(int qos) throws Exception {
    Mqtt5BlockingClient sub = mqtt("sub-up-" + qos);
    try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL); MqttSnTestClient c = sn()) {
      sub.subscribeWith().topicFilter("up/" + qos + "/#").qos(MqttQos.EXACTLY_ONCE).send();
      c.connect("sn-up-" + qos, 60);
      c.send(new Register(0, 1, "up/" + qos + "/temp"));
      Regack ra = c.expect(Regack.class);
      assertThat(ra.returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      c.send(new Publish(false, qos, false, new TopicRef.Id(ra.topicId()), 2, Payload.utf8("21.5")));
      if (qos == 1) {
        assertThat(c.expect(Puback.class)).isEqualTo(new Puback(ra.topicId(), 2, ReturnCode.ACCEPTED));
      } else if (qos == 2) {
        assertThat(c.expect(Pubrec.class).msgId()).isEqualTo(2);
        c.send(new Pubrel(2));
        assertThat(c.expect(Pubcomp.class).msgId()).isEqualTo(2);
      }
      Optional<Mqtt5Publish> got = publishes.receive(5, TimeUnit.SECONDS);
      assertThat(got).isPresent();
      assertThat(got.get().getTopic().toString()).isEqualTo("up/" + qos + "/temp");
      assertThat(utf8(got.get())).isEqualTo("21.5");
      assertThat(got.get().getQos().getCode()).isEqualTo(qos);
    } finally {
      sub.disconnect();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void mqtt_publish_reaches_a_wildcard_subscriber_after_a_gateway_register_at_each_qos(int qos) {
    Mqtt5BlockingClient pub = mqtt("pub-down-" + qos);
    try (MqttSnTestClient c = sn()) {
      c.connect("sn-down-" + qos, 60);
      c.send(new Subscribe(false, qos, 1, new TopicRef.Name("down/" + qos + "/#")));
      assertThat(c.expect(Suback.class)).isEqualTo(new Suback(qos, 0, 1, ReturnCode.ACCEPTED));
      pub.publishWith().topic("down/" + qos + "/cmd").qos(MqttQos.fromCode(qos)).payload("on".getBytes()).send();
      Register reg = c.expect(Register.class);
      assertThat(reg.topicName()).isEqualTo("down/" + qos + "/cmd");
      c.send(new Regack(reg.topicId(), reg.msgId(), ReturnCode.ACCEPTED));
      Publish p = acceptPublish(c);
      assertThat(p.topic()).isEqualTo(new TopicRef.Id(reg.topicId()));
      assertThat(p.qos()).isEqualTo(qos);
      assertThat(p.data()).isEqualTo(Payload.utf8("on"));
    } finally {
      pub.disconnect();
    }
  }

  @Test
  void predefined_and_short_topics_work_both_ways_without_register() throws Exception {
    Mqtt5BlockingClient mq = mqtt("mq-pre");
    try (var publishes = mq.publishes(MqttGlobalPublishFilter.ALL); MqttSnTestClient c = sn()) {
      mq.subscribeWith().topicFilter("pre/seven").qos(MqttQos.AT_LEAST_ONCE).send();
      mq.subscribeWith().topicFilter("ab").qos(MqttQos.AT_LEAST_ONCE).send();
      c.connect("sn-pre", 60);
      c.send(new Publish(false, 1, false, new TopicRef.Predefined(7), 1, Payload.utf8("p")));
      assertThat(c.expect(Puback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      c.send(new Publish(false, 1, false, new TopicRef.Short("ab"), 2, Payload.utf8("s")));
      assertThat(c.expect(Puback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      assertThat(publishes.receive(5, TimeUnit.SECONDS).map(p -> p.getTopic().toString())).contains("pre/seven");
      assertThat(publishes.receive(5, TimeUnit.SECONDS).map(p -> p.getTopic().toString())).contains("ab");

      c.send(new Subscribe(false, 1, 3, new TopicRef.Predefined(7)));
      assertThat(c.expect(Suback.class)).isEqualTo(new Suback(1, 7, 3, ReturnCode.ACCEPTED));
      c.send(new Subscribe(false, 1, 4, new TopicRef.Short("cd")));
      assertThat(c.expect(Suback.class)).isEqualTo(new Suback(1, 0, 4, ReturnCode.ACCEPTED));
      mq.publishWith().topic("pre/seven").qos(MqttQos.AT_LEAST_ONCE).payload("d1".getBytes()).send();
      assertThat(acceptPublish(c).topic()).isEqualTo(new TopicRef.Predefined(7));
      mq.publishWith().topic("cd").qos(MqttQos.AT_LEAST_ONCE).payload("d2".getBytes()).send();
      assertThat(acceptPublish(c).topic()).isEqualTo(new TopicRef.Short("cd"));
    } finally {
      mq.disconnect();
    }
  }

  @Test
  void qos_minus_one_publish_without_connection_reaches_a_subscriber() throws Exception {
    Mqtt5BlockingClient mq = mqtt("mq-qos3");
    try (var publishes = mq.publishes(MqttGlobalPublishFilter.ALL); MqttSnTestClient c = sn()) {
      mq.subscribeWith().topicFilter("pre/seven").send();
      c.send(new Publish(false, -1, false, new TopicRef.Predefined(7), 0, Payload.utf8("anon")));
      Optional<Mqtt5Publish> got = publishes.receive(5, TimeUnit.SECONDS);
      assertThat(got).isPresent();
      assertThat(utf8(got.get())).isEqualTo("anon");
    } finally {
      mq.disconnect();
    }
  }

  @Test
  void two_clients_behind_one_forwarder_publish_and_receive_through_encapsulation() throws Exception {
    Mqtt5BlockingClient mq = mqtt("mq-fwd");
    try (var publishes = mq.publishes(MqttGlobalPublishFilter.ALL); MqttSnTestClient forwarder = sn()) {
      mq.subscribeWith().topicFilter("fw/#").qos(MqttQos.AT_LEAST_ONCE).send();
      Payload node1 = Payload.copyOf(new byte[] {0x11});
      Payload node2 = Payload.copyOf(new byte[] {0x22, 0x22});
      forwarder.send(new Encapsulated(0, node1, new Connect(false, true, 60, "sn-fwd-1")));
      assertThat(forwarder.expect(Encapsulated.class)).isEqualTo(new Encapsulated(0, node1, new Connack(ReturnCode.ACCEPTED)));
      forwarder.send(new Encapsulated(0, node2, new Connect(false, true, 60, "sn-fwd-2")));
      assertThat(forwarder.expect(Encapsulated.class)).isEqualTo(new Encapsulated(0, node2, new Connack(ReturnCode.ACCEPTED)));
      // MQTT-SN 1.2 §5.5: the gateway answers each client through the forwarder, wrapped for its node
      forwarder.send(new Encapsulated(0, node2, new Register(0, 1, "fw/two")));
      Encapsulated regack = forwarder.expect(Encapsulated.class);
      assertThat(regack.wirelessNodeId()).isEqualTo(node2);
      int id = ((Regack) regack.message()).topicId();
      forwarder.send(new Encapsulated(0, node2, new Publish(false, 1, false, new TopicRef.Id(id), 2, Payload.utf8("via"))));
      assertThat(forwarder.expect(Encapsulated.class))
          .isEqualTo(new Encapsulated(0, node2, new Puback(id, 2, ReturnCode.ACCEPTED)));
      Optional<Mqtt5Publish> got = publishes.receive(5, TimeUnit.SECONDS);
      assertThat(got).isPresent();
      assertThat(got.get().getTopic().toString()).isEqualTo("fw/two");
      assertThat(gw.session("sn-fwd-1")).as("node 1 is still connected").isNotNull();
      assertThat(gw.session("sn-fwd-1").state()).isEqualTo("connected");
    } finally {
      mq.disconnect();
    }
  }

  @Test
  void will_is_published_when_the_keepalive_runs_out() throws Exception {
    Mqtt5BlockingClient mq = mqtt("mq-will");
    try (var publishes = mq.publishes(MqttGlobalPublishFilter.ALL); MqttSnTestClient c = sn()) {
      mq.subscribeWith().topicFilter("wills/#").send();
      c.send(new Connect(true, true, 1, "sn-will"));
      c.expect(WillTopicReq.class);
      c.send(new WillTopic(0, false, "wills/sn-will"));
      c.expect(WillMsgReq.class);
      c.send(new WillMsg(Payload.utf8("lost")));
      assertThat(c.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      // no more datagrams: after 1 s × 1.5 the gateway gives up and the core publishes the will
      Optional<Mqtt5Publish> got = publishes.receive(10, TimeUnit.SECONDS);
      assertThat(got).isPresent();
      assertThat(got.get().getTopic().toString()).isEqualTo("wills/sn-will");
      assertThat(utf8(got.get())).isEqualTo("lost");
    } finally {
      mq.disconnect();
    }
  }

  @Test
  void sleeping_client_gets_buffered_qos1_messages_on_wake_up_from_a_new_port() {
    Mqtt5BlockingClient pub = mqtt("pub-sleep");
    try (MqttSnTestClient c = sn()) {
      c.connect("sn-sleeper", 60);
      c.send(new Subscribe(false, 1, 1, new TopicRef.Name("sleep/#")));
      c.expect(Suback.class);
      c.send(Disconnect.sleep(30));
      assertThat(c.expect(Disconnect.class)).isEqualTo(Disconnect.plain());
      pub.publishWith().topic("sleep/a").qos(MqttQos.AT_LEAST_ONCE).payload("1".getBytes()).send();
      pub.publishWith().topic("sleep/a").qos(MqttQos.AT_LEAST_ONCE).payload("2".getBytes()).send();
      assertThat(c.poll(Duration.ofMillis(300))).as("nothing while asleep").isEmpty();

      int oldPort = c.localPort();
      c.newPort();
      assertThat(c.localPort()).isNotEqualTo(oldPort);
      c.send(new PingReq("sn-sleeper"));
      Register reg = c.expect(Register.class);
      assertThat(reg.topicName()).isEqualTo("sleep/a");
      c.send(new Regack(reg.topicId(), reg.msgId(), ReturnCode.ACCEPTED));
      assertThat(acceptPublish(c).data()).isEqualTo(Payload.utf8("1"));
      assertThat(acceptPublish(c).data()).isEqualTo(Payload.utf8("2"));
      c.expect(PingResp.class);
      // asleep again: the next message waits for the next wake-up
      pub.publishWith().topic("sleep/a").qos(MqttQos.AT_LEAST_ONCE).payload("3".getBytes()).send();
      assertThat(c.poll(Duration.ofMillis(300))).isEmpty();
      c.send(new PingReq("sn-sleeper"));
      assertThat(acceptPublish(c).data()).isEqualTo(Payload.utf8("3"));
      c.expect(PingResp.class);
    } finally {
      pub.disconnect();
    }
  }

  @Test
  void connect_from_a_new_port_is_refused_while_the_client_is_connected_and_works_after_disconnect() {
    try (MqttSnTestClient c = sn()) {
      c.connect("sn-mover", 60);
      c.send(Disconnect.plain());
      c.expect(Disconnect.class);
      c.newPort();
      c.connect("sn-mover", 60);
      c.send(new PingReq(""));
      c.expect(PingResp.class);
    }
  }

  @Test
  void a_flood_of_garbage_from_one_address_does_not_stop_other_clients() {
    // the flood comes from its own source address: source_datagram_rate sheds most of it before decoding
    double before = gw.metrics().counter("mqttsn.drops", "reason", "malformed").count()
        + gw.metrics().counter("mqttsn.drops", "reason", "source_datagram_rate").count();
    try (MqttSnTestClient flood = new MqttSnTestClient(gw.listener("mqttsn", "udp:default"), "127.0.0.2");
        MqttSnTestClient good = sn()) {
      Random random = new Random(1);
      good.connect("sn-good", 60);
      for (int round = 0; round < 20; round++) {
        for (int i = 0; i < 500; i++) {
          byte[] junk = new byte[1 + random.nextInt(40)];
          random.nextBytes(junk);
          junk[0] = (byte) (junk.length + 1); // wrong length on purpose
          flood.sendRaw(junk);
        }
        // the kernel may drop datagrams when the flood fills the socket buffer: retry as an MQTT-SN client does (§6.13)
        Optional<MqttSnFrame> answer = Optional.empty();
        for (int attempt = 0; attempt < 10 && answer.isEmpty(); attempt++) {
          good.send(new PingReq(""));
          answer = good.poll(Duration.ofMillis(500));
        }
        assertThat(answer).contains(new PingResp());
      }
      await().atMost(Duration.ofSeconds(10))
          .until(() -> gw.metrics().counter("mqttsn.drops", "reason", "malformed").count()
              + gw.metrics().counter("mqttsn.drops", "reason", "source_datagram_rate").count() - before > 1000);
    }
  }
}
