package io.estuary.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.testkit.TestGateway;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A device speaking EMQX's TCP framing on a raw socket, byte for byte, and MQTT clients on the other side. */
@Timeout(60)
class EmqxTcpIT {
  static final String CONNECT = "10 00 07 3c 00 04 61 62 63 64"; // reference example: keepalive 60, client id abcd
  static final String CONNACK_OK = "20 00 14 43 6f 6e 6e 65 63 74 20 53 75 63 63 65 73 73 66 75 6c 6c 79";
  static final String BIND = """
      gateway.tcp.listeners.tcp.default.bind = "127.0.0.1:0"
      gateway.tcp.listeners.ssl.default.enable = false
      """;

  private TestGateway gw;
  private Mqtt5BlockingClient mqtt;

  @BeforeEach
  void start() {
    gw = TestGateway.builder().adapter(new TcpAdapterFactory()).config(BIND + """
        gateway.tcp { max_packet_size = 1024, idle_timeout = 2s }
        """).start();
    mqtt = Mqtt5Client.builder().identifier("app").serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    mqtt.connect();
  }

  @AfterEach
  void stop() {
    mqtt.disconnect();
    gw.close();
  }

  private InetSocketAddress tcp() {
    return gw.listener("tcp", "tcp:default");
  }

  @Test
  void reference_connect_is_answered_with_the_reference_connack_and_datatrans_reaches_an_mqtt_subscriber() throws Exception {
    try (var publishes = mqtt.publishes(MqttGlobalPublishFilter.ALL); RawDevice d = RawDevice.connect(tcp())) {
      mqtt.subscribeWith().topicFilter("tcp/abcd/up").send();
      d.writeHex(CONNECT);
      assertThat(d.readHex(23)).isEqualTo(CONNACK_OK);
      d.writeHex("30 00 04 61 62 63 63"); // the reference's DATATRANS example
      Optional<Mqtt5Publish> p = publishes.receive(10, TimeUnit.SECONDS);
      assertThat(p).isPresent();
      assertThat(p.get().getTopic().toString()).isEqualTo("tcp/abcd/up");
      assertThat(new String(p.get().getPayloadAsBytes(), StandardCharsets.US_ASCII)).isEqualTo("abcc");
    }
  }

  @Test
  void mqtt_messages_on_the_down_topic_arrive_as_datatrans_frames() throws Exception {
    try (RawDevice d = RawDevice.connect(tcp())) {
      d.writeHex(CONNECT);
      assertThat(d.readHex(23)).isEqualTo(CONNACK_OK);
      await().atMost(Duration.ofSeconds(10)).until(() -> gw.session("abcd") != null && gw.session("abcd").subscriptions() == 1);
      mqtt.publishWith().topic("tcp/abcd/dn").payload("on".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();
      assertThat(d.readHex(5)).isEqualTo("30 00 02 6f 6e");
    }
  }

  @Test
  void ping_is_answered_pong_and_disconnect_closes() throws Exception {
    try (RawDevice d = RawDevice.connect(tcp())) {
      d.writeHex(CONNECT);
      d.read(23);
      d.writeHex("40");
      assertThat(d.readHex(1)).isEqualTo("50");
      d.writeHex("60");
      assertThat(d.closedByServer()).isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> gw.session("abcd") == null);
    }
  }

  @Test
  void frames_split_across_reads_are_reassembled() throws Exception {
    try (var publishes = mqtt.publishes(MqttGlobalPublishFilter.ALL); RawDevice d = RawDevice.connect(tcp())) {
      mqtt.subscribeWith().topicFilter("tcp/+/up").send();
      byte[] stream = io.estuary.tcp.codec.Hex.bytes(CONNECT + " 30 00 03 61 62 63 30 00 01 7a");
      for (byte b : stream) { // one byte per write, each flushed
        d.write(new byte[] {b});
        Thread.onSpinWait();
      }
      assertThat(d.readHex(23)).isEqualTo(CONNACK_OK);
      assertThat(new String(publishes.receive(10, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes())).isEqualTo("abc");
      assertThat(new String(publishes.receive(10, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes())).isEqualTo("z");
    }
  }

  @Test
  void datatrans_and_connect_in_one_write_are_both_handled() throws Exception {
    try (var publishes = mqtt.publishes(MqttGlobalPublishFilter.ALL); RawDevice d = RawDevice.connect(tcp())) {
      mqtt.subscribeWith().topicFilter("tcp/abcd/up").send();
      d.writeHex(CONNECT + " 30 00 01 41");
      assertThat(d.readHex(23)).isEqualTo(CONNACK_OK);
      assertThat(publishes.receive(10, TimeUnit.SECONDS)).isPresent();
    }
  }

  @Test
  void unknown_frame_types_close_the_connection_and_are_counted() throws Exception {
    try (RawDevice d = RawDevice.connect(tcp())) {
      d.writeHex(CONNECT);
      d.read(23);
      d.writeHex("70 00 00");
      assertThat(d.closedByServer()).isTrue();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> malformed("unknown_type") == 1);
  }

  @Test
  void oversized_frames_close_the_connection_before_their_payload_arrives() throws Exception {
    try (RawDevice d = RawDevice.connect(tcp())) {
      d.writeHex(CONNECT);
      d.read(23);
      d.writeHex("30 04 01"); // 1025 > max_packet_size 1024
      assertThat(d.closedByServer()).isTrue();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> malformed("too_large") == 1);
  }

  @Test
  void a_malformed_connect_closes_without_connack() throws Exception {
    try (RawDevice d = RawDevice.connect(tcp())) {
      d.writeHex("10 00 05 3c 00 09 61 62");
      assertThat(d.readToClose()).isEmpty();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> malformed("malformed") == 1);
  }

  @Test
  void an_unsupported_version_is_answered_illegalver() throws Exception {
    try (RawDevice d = RawDevice.connect(tcp())) {
      d.writeHex("12 00 07 3c 00 04 61 62 63 64");
      assertThat(io.estuary.tcp.codec.Hex.of(d.readToClose())).isEqualTo("22 00 00");
    }
  }

  @Test
  void a_client_id_the_core_refuses_is_answered_authfailed() throws Exception {
    try (RawDevice d = RawDevice.connect(tcp())) {
      d.writeHex("10 00 04 3c 00 01 23"); // client id "#"
      assertThat(io.estuary.tcp.codec.Hex.of(d.readToClose())).isEqualTo("21 00 00");
    }
  }

  @Test
  void a_device_silent_past_keepalive_times_one_and_a_half_is_disconnected() throws Exception {
    try (RawDevice d = RawDevice.connect(tcp())) {
      d.writeHex("10 00 07 01 00 04 61 62 63 64"); // keepalive 1 s
      d.read(23);
      long t0 = System.nanoTime();
      assertThat(d.closedByServer()).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(1000));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> gw.session("abcd") == null);
  }

  @Test
  void a_connection_that_never_sends_connect_is_closed_after_idle_timeout() throws Exception {
    try (RawDevice d = RawDevice.connect(tcp())) {
      long t0 = System.nanoTime();
      assertThat(d.closedByServer()).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
    }
  }

  @Test
  void the_session_is_listed_with_protocol_framing_and_peer() throws Exception {
    try (RawDevice d = RawDevice.connect(tcp())) {
      d.writeHex(CONNECT);
      d.read(23);
      await().atMost(Duration.ofSeconds(5)).until(() -> gw.session("abcd") != null);
      var s = gw.session("abcd");
      assertThat(s.protocol()).isEqualTo("tcp");
      assertThat(s.attributes()).containsEntry("framing", "emqx").containsEntry("listener", "tcp:default");
      assertThat((String) s.attributes().get("peer")).startsWith("127.0.0.1:");
    }
  }

  private double malformed(String reason) {
    return gw.context("tcp").metrics().counter("malformed", "reason", reason).count();
  }
}
