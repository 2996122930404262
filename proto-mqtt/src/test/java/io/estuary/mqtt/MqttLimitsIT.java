package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.estuary.testkit.RawMqttClient;
import io.estuary.testkit.TestGateway;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The MQTT listener's configured limits, seen from the client: {@code max_connections}, the CONNECT
 * timeout ({@code mqtt.idle_timeout}), {@code mqtt.max_subscriptions} and the v5 receive maximum.
 */
@Timeout(60)
class MqttLimitsIT {
  private static Mqtt5BlockingClient client(TestGateway gw, String id) {
    return Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
  }

  @Test
  void a_connection_beyond_max_connections_gets_connack_quota_exceeded_in_v5_and_server_unavailable_in_v311() throws Exception {
    try (TestGateway gw = TestGateway.builder().config("listeners.tcp.default.max_connections = 2").start()) {
      Mqtt5BlockingClient first = client(gw, "limit-1");
      Mqtt5BlockingClient second = client(gw, "limit-2");
      first.connect();
      second.connect();

      Mqtt5BlockingClient third = client(gw, "limit-3");
      Mqtt5ConnAckException refused = catchThrowableOfType(third::connect, Mqtt5ConnAckException.class);
      assertThat(refused).as("the hivemq client got a refusing CONNACK").isNotNull();
      assertThat(refused.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.QUOTA_EXCEEDED);
      try (RawMqttClient raw = new RawMqttClient(gw.mqttPort())) {
        MqttConnAckMessage ack = (MqttConnAckMessage) raw.connect("limit-raw", 4, true, 60);
        assertThat(ack.variableHeader().connectReturnCode()).as("3.1.1 has no quota code: server unavailable")
            .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
        assertThat(raw.closedByServer(Duration.ofSeconds(5))).isTrue();
      }
      assertThat(gw.session("limit-3")).isNull();
      assertThat(gw.metrics().counter("mqtt.drops", "reason", "max_connections").count()).isEqualTo(2);

      first.disconnect();
      await("a freed slot takes a new connection").atMost(Duration.ofSeconds(10)).ignoreExceptions()
          .untilAsserted(third::connect);
      assertThat(gw.session("limit-3").state()).isEqualTo("connected");
      third.disconnect();
      second.disconnect();
    }
  }

  @Test
  void a_connection_that_never_sends_connect_is_closed_within_the_configured_timeout() throws Exception {
    try (TestGateway gw = TestGateway.builder().config("mqtt.idle_timeout = 1s").start();
        Socket s = new Socket("127.0.0.1", gw.mqttPort())) {
      long start = System.nanoTime();
      s.setSoTimeout(10_000);
      InputStream in = s.getInputStream();
      assertThat(in.read()).as("the server closes without sending anything").isEqualTo(-1);
      Duration closedAfter = Duration.ofNanos(System.nanoTime() - start);
      assertThat(closedAfter).as("closed after the 1 s timeout, not before").isGreaterThanOrEqualTo(Duration.ofMillis(900));
      assertThat(closedAfter).as("closed within the timeout plus scheduling slack").isLessThan(Duration.ofSeconds(4));
    }
  }

  @Test
  void a_connect_trickled_one_byte_at_a_time_is_cut_off_at_the_timeout_counted_from_the_accept() throws Exception {
    try (TestGateway gw = TestGateway.builder().config("mqtt.idle_timeout = 1s").start();
        Socket s = new Socket("127.0.0.1", gw.mqttPort())) {
      long start = System.nanoTime();
      // the start of a CONNECT whose remaining length promises 100 bytes; the read-idle timer alone would restart
      // with every byte
      byte[] head = {0x10, 100, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 10};
      boolean closed = false;
      for (int i = 0; i < head.length * 4 && !closed; i++) {
        try {
          s.getOutputStream().write(head[i % head.length]);
          s.getOutputStream().flush();
        } catch (IOException e) {
          closed = true; // the server closed the connection: our write met the reset
          break;
        }
        s.setSoTimeout(300);
        try {
          closed = s.getInputStream().read() == -1;
        } catch (java.net.SocketTimeoutException e) {
          // still open: the next byte
        } catch (IOException e) {
          closed = true;
        }
      }
      Duration closedAfter = Duration.ofNanos(System.nanoTime() - start);
      assertThat(closed).as("the server closed the trickling connection").isTrue();
      assertThat(closedAfter).as("at the 1 s deadline, not at its end").isBetween(Duration.ofMillis(900), Duration.ofSeconds(4));
      assertThat(gw.metrics().counter("mqtt.drops", "reason", "connect_timeout").count()).isEqualTo(1);
    }
  }

  @Test
  void a_subscription_beyond_max_subscriptions_gets_quota_exceeded_in_v5_and_failure_in_v311() {
    try (TestGateway gw = TestGateway.builder().config("mqtt.max_subscriptions = 2").start()) {
      Mqtt5BlockingClient c = client(gw, "subs-v5");
      c.connect();
      c.subscribeWith().topicFilter("quota/1").send();
      c.subscribeWith().topicFilter("quota/2").send();
      Mqtt5SubAckException e = catchThrowableOfType(() -> c.subscribeWith().topicFilter("quota/3").send(),
          Mqtt5SubAckException.class);
      assertThat(e).as("the third SUBSCRIBE is refused").isNotNull();
      assertThat(e.getMqttMessage().getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.QUOTA_EXCEEDED);
      assertThat(c.subscribeWith().topicFilter("quota/1").qos(MqttQos.AT_LEAST_ONCE).send().getReasonCodes())
          .as("replacing an existing subscription is not a new one").containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
      assertThat(gw.session("subs-v5").subscriptions()).isEqualTo(2);
      c.disconnect();

      Mqtt3BlockingClient c3 = Mqtt3Client.builder().identifier("subs-v3").serverHost("127.0.0.1")
          .serverPort(gw.mqttPort()).buildBlocking();
      c3.connect();
      c3.subscribeWith().topicFilter("quota/a").send();
      c3.subscribeWith().topicFilter("quota/b").send();
      Mqtt3SubAckException e3 = catchThrowableOfType(() -> c3.subscribeWith().topicFilter("quota/c").send(),
          Mqtt3SubAckException.class);
      assertThat(e3).isNotNull();
      assertThat(e3.getMqttMessage().getReturnCodes()).containsExactly(Mqtt3SubAckReturnCode.FAILURE);
      c3.disconnect();
    }
  }

  @Test
  void a_v5_client_with_receive_maximum_3_never_has_more_than_3_unacknowledged_qos1_publishes() throws Exception {
    try (TestGateway gw = TestGateway.builder().start();
        RawMqttClient sub = new RawMqttClient(gw.mqttPort())) {
      MqttProperties props = new MqttProperties();
      props.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value(), 3));
      MqttConnAckMessage ack = (MqttConnAckMessage) sub.connect("rm-sub", 5, true, 60, props);
      assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
      sub.send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_LEAST_ONCE, "rm/#").build());
      MqttSubAckMessage subAck = (MqttSubAckMessage) sub.await(MqttMessageType.SUBACK, Duration.ofSeconds(5));
      assertThat(subAck.payload().reasonCodes()).containsExactly(1);

      Mqtt5BlockingClient pub = client(gw, "rm-pub");
      pub.connect();
      for (int i = 0; i < 10; i++) {
        pub.publishWith().topic("rm/x").qos(MqttQos.AT_LEAST_ONCE).payload(("m" + i).getBytes(StandardCharsets.UTF_8)).send();
      }

      List<MqttPublishMessage> got = new ArrayList<>();
      collect(sub, got, 3, Duration.ofSeconds(10));
      assertThat(got).hasSize(3);
      collectFor(sub, got, Duration.ofMillis(500));
      assertThat(got).as("nothing beyond the receive maximum while none is acknowledged").hasSize(3);

      sub.send(pubAck(got.get(0)));
      collect(sub, got, 4, Duration.ofSeconds(10));
      collectFor(sub, got, Duration.ofMillis(500));
      assertThat(got).as("one PUBACK frees exactly one slot").hasSize(4);

      for (int i = 1; i < 4; i++) {
        sub.send(pubAck(got.get(i)));
      }
      for (int acked = 4; got.size() < 10; ) {
        int before = got.size();
        collect(sub, got, Math.min(10, acked + 3), Duration.ofSeconds(10));
        assertThat(got.size() - acked).as("unacknowledged at once").isLessThanOrEqualTo(3);
        assertThat(got.size()).as("progress").isGreaterThan(before);
        for (int i = acked; i < got.size(); i++) {
          sub.send(pubAck(got.get(i)));
        }
        acked = got.size();
      }
      assertThat(got).extracting(p -> p.payload().toString(StandardCharsets.UTF_8))
          .containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
      got.forEach(ReferenceCountUtil::release);
      pub.disconnect();
    }
  }

  private static MqttMessage pubAck(MqttPublishMessage p) {
    return new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBACK, false, MqttQoS.AT_MOST_ONCE, false, 2),
        MqttMessageIdVariableHeader.from(p.variableHeader().packetId()));
  }

  /** Adds PUBLISHes until {@code got} holds {@code count} or the deadline passes. */
  private static void collect(RawMqttClient c, List<MqttPublishMessage> got, int count, Duration deadline) throws IOException {
    long end = System.nanoTime() + deadline.toNanos();
    while (got.size() < count && System.nanoTime() < end) {
      add(c.next(Duration.ofNanos(end - System.nanoTime())), got);
    }
  }

  /** Adds every PUBLISH arriving within {@code window}. */
  private static void collectFor(RawMqttClient c, List<MqttPublishMessage> got, Duration window) throws IOException {
    long end = System.nanoTime() + window.toNanos();
    for (long left = window.toNanos(); left > 0; left = end - System.nanoTime()) {
      add(c.next(Duration.ofNanos(left)), got);
    }
  }

  private static void add(MqttMessage m, List<MqttPublishMessage> got) {
    if (m instanceof MqttPublishMessage p) {
      got.add(p);
    } else {
      ReferenceCountUtil.release(m);
    }
  }
}
