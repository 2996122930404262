package io.estuary.stomp.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient.Mqtt5Publishes;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.stomp.codec.Command;
import io.estuary.stomp.codec.StompFrame;
import io.estuary.testkit.TestGateway;
import io.estuary.testkit.TestSession;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** stomp.py as the real STOMP client, hivemq-mqtt-client on the MQTT side, the real core between them. */
@Timeout(120)
class StompPyIT {
  static TestGateway gw;

  @BeforeAll
  static void start() {
    StompPy.require();
    gw = StompGateways.start("authentication.users = [{username = alice, password = secret}]");
  }

  @AfterAll
  static void stop() {
    if (gw != null) {
      gw.close();
    }
  }

  static Mqtt5BlockingClient mqtt(String id) {
    Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort())
        .buildBlocking();
    c.connect();
    return c;
  }

  @Test
  void stomp_py_sends_and_receives_with_client_individual_acks() {
    try (StompPy sub = StompPy.run(StompGateways.tcp(gw), "receive", "/queue/py", "5", "client-individual")) {
      sub.awaitLine("SUBSCRIBED");
      StompPy.run(StompGateways.tcp(gw), "send", "/queue/py", "5").done();
      List<String> lines = sub.done();
      assertThat(sub.starting("MSG")).containsExactly("MSG m0 0 text/plain", "MSG m1 1 text/plain",
          "MSG m2 2 text/plain", "MSG m3 3 text/plain", "MSG m4 4 text/plain");
      assertThat(lines).noneMatch(l -> l.startsWith("ERROR"));
    }
  }

  @Test
  void stomp_py_speaks_1_1_with_client_acks() {
    try (StompPy sub = StompPy.run(StompGateways.tcp(gw), "receive", "v11/t", "2", "client", "--version", "1.1")) {
      sub.awaitLine("SUBSCRIBED");
      StompPy.run(StompGateways.tcp(gw), "send", "v11/t", "2", "--version", "1.1").done();
      sub.done();
      assertThat(sub.starting("MSG")).hasSize(2);
    }
  }

  @Test
  void a_nacked_message_comes_back_to_stomp_py_marked_redelivered() {
    try (StompPy sub = StompPy.run(StompGateways.tcp(gw), "nack", "nack/t")) {
      sub.awaitLine("SUBSCRIBED");
      StompPy.run(StompGateways.tcp(gw), "send", "nack/t", "1").done();
      sub.done();
      assertThat(sub.starting("MSG")).containsExactly("MSG m0");
      assertThat(sub.starting("REDELIVERED")).containsExactly("REDELIVERED m0");
    }
  }

  @Test
  void only_the_committed_transaction_of_stomp_py_is_published() {
    try (StompPy sub = StompPy.run(StompGateways.tcp(gw), "receive", "tx/t", "2", "auto")) {
      sub.awaitLine("SUBSCRIBED");
      StompPy.run(StompGateways.tcp(gw), "tx", "tx/t").done();
      sub.done();
      assertThat(sub.starting("MSG")).extracting(l -> l.split(" ")[1]).containsExactly("committed-1", "committed-2");
    }
  }

  @Test
  void stomp_py_logs_in_through_the_core_authenticator() {
    List<String> ok = StompPy.run(StompGateways.tcp(gw), "send", "auth/t", "0", "--login", "alice", "--passcode",
        "secret").done();
    assertThat(ok).contains("CONNECTED");
    try (StompPy bad = StompPy.run(StompGateways.tcp(gw), "send", "auth/t", "0", "--login", "alice", "--passcode",
        "wrong")) {
      await().atMost(Duration.ofSeconds(30)).until(() -> bad.lines.stream().anyMatch(l -> l.contains("REFUSED")));
      assertThat(bad.lines).noneMatch(l -> l.equals("CONNECTED"));
      assertThat(gw.metrics().counter("stomp.auth.failures").count()).isPositive();
    }
  }

  @Test
  void a_stomp_send_reaches_an_mqtt_subscriber_with_content_type_and_user_properties() throws Exception {
    Mqtt5BlockingClient mq = mqtt("mqtt-up");
    try (Mqtt5Publishes publishes = mq.publishes(MqttGlobalPublishFilter.ALL)) {
      mq.subscribeWith().topicFilter("/queue/up").qos(MqttQos.AT_LEAST_ONCE).send();
      StompPy.run(StompGateways.tcp(gw), "send", "/queue/up", "1").done();
      Optional<Mqtt5Publish> got = publishes.receive(10, TimeUnit.SECONDS);
      assertThat(got).isPresent();
      Mqtt5Publish p = got.get();
      assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("m0");
      assertThat(p.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
      assertThat(p.getContentType()).hasValueSatisfying(t -> assertThat(t.toString()).isEqualTo("text/plain"));
      List<String> props = new ArrayList<>();
      p.getUserProperties().asList().forEach(u -> props.add(u.getName() + "=" + u.getValue()));
      assertThat(props).contains("x-seq=0");
    } finally {
      mq.disconnect();
    }
  }

  @Test
  void an_mqtt_publish_reaches_a_stomp_subscriber_on_a_wildcard_destination() {
    Mqtt5BlockingClient mq = mqtt("mqtt-down");
    try (RawStompClient c = new RawStompClient(StompGateways.tcp(gw))) {
      c.connect();
      c.write("SUBSCRIBE\nid:w\ndestination:sensors/+/temp\nack:client-individual\nreceipt:r\n\n\0");
      assertThat(c.next().command()).isEqualTo(Command.RECEIPT);
      mq.publishWith().topic("sensors/kitchen/temp").qos(MqttQos.AT_LEAST_ONCE).contentType("text/plain")
          .userProperties().add("unit", "C").applyUserProperties().payload("21.5".getBytes(StandardCharsets.UTF_8)).send();
      StompFrame m = c.next();
      assertThat(m.command()).isEqualTo(Command.MESSAGE);
      assertThat(m.header("destination")).isEqualTo("sensors/kitchen/temp");
      assertThat(m.header("subscription")).isEqualTo("w");
      assertThat(m.header("content-type")).isEqualTo("text/plain");
      assertThat(m.header("unit")).isEqualTo("C");
      assertThat(m.body().asUtf8()).isEqualTo("21.5");
    } finally {
      mq.disconnect();
    }
  }

  @Test
  void a_durable_subscription_queues_while_away_and_redelivers_unacked_after_a_dropped_connection() {
    Mqtt5BlockingClient mq = mqtt("mqtt-durable");
    try {
      try (RawStompClient c = new RawStompClient(StompGateways.tcp(gw))) {
        c.connect("client-id", "durable-1");
        c.write("SUBSCRIBE\nid:d\ndestination:dur/t\nack:client-individual\npersistent:true\nreceipt:r\n\n\0");
        assertThat(c.next().command()).isEqualTo(Command.RECEIPT);
        mq.publishWith().topic("dur/t").qos(MqttQos.AT_LEAST_ONCE).payload("first".getBytes()).send();
        assertThat(c.next().body().asUtf8()).isEqualTo("first");
      } // dropped without ACK or DISCONNECT
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        TestSession s = gw.session("durable-1");
        return s != null && !s.state().equals("connected");
      });
      TestSession away = gw.session("durable-1");
      assertThat(away.protocol()).isEqualTo("stomp");
      assertThat(away.persistent()).isTrue();
      mq.publishWith().topic("dur/t").qos(MqttQos.AT_LEAST_ONCE).payload("while-away".getBytes()).send();
      try (RawStompClient c = new RawStompClient(StompGateways.tcp(gw))) {
        c.connect("client-id", "durable-1");
        c.write("SUBSCRIBE\nid:d\ndestination:dur/t\nack:client-individual\npersistent:true\n\n\0");
        StompFrame again = c.next();
        assertThat(again.body().asUtf8()).isEqualTo("first");
        assertThat(again.header("redelivered")).isEqualTo("true");
        c.write("ACK\nid:" + again.header("ack") + "\n\n\0");
        StompFrame queued = c.next();
        assertThat(queued.body().asUtf8()).isEqualTo("while-away");
        c.write("ACK\nid:" + queued.header("ack") + "\n\n\0");
        c.write("UNSUBSCRIBE\nid:d\n\n\0DISCONNECT\nreceipt:bye\n\n\0");
        assertThat(c.next().header("receipt-id")).isEqualTo("bye");
      }
    } finally {
      mq.disconnect();
    }
  }

  @Test
  void a_subscription_the_acl_denies_is_answered_with_error_and_counted() {
    try (TestGateway acl = StompGateways.start("""
        authorization.rules = [{permission = deny, who = "all", action = subscribe, topics = ["secret/#"]}]
        """)) {
      try (RawStompClient c = new RawStompClient(StompGateways.tcp(acl))) {
        c.connect();
        c.write("SUBSCRIBE\nid:s\ndestination:secret/x\nreceipt:r\n\n\0");
        StompFrame e = c.next();
        assertThat(e.command()).isEqualTo(Command.ERROR);
        assertThat(e.header("message")).contains("not authorized");
        assertThat(e.header("receipt-id")).isEqualTo("r");
        assertThat(c.closedByServer()).isTrue();
      }
      assertThat(acl.metrics().counter("stomp.denied", "access", "subscribe").count()).isEqualTo(1.0);
    }
  }
}
