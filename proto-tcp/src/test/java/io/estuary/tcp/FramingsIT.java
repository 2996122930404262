package io.estuary.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.tcp.codec.Hex;
import io.estuary.testkit.TestGateway;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Devices whose firmware nobody can change, reached by configuration only: a 2-byte big-endian length-prefixed
 * device naming itself in a hello frame, an NMEA-style line device named by its address, a fixed-size device named
 * by a byte range, a 0x7e-delimited device with a keepalive. Raw sockets on one side, MQTT on the other.
 */
@Timeout(60)
class FramingsIT {
  private TestGateway gw;
  private Mqtt5BlockingClient mqtt;
  private Mqtt5BlockingClient.Mqtt5Publishes publishes;

  @BeforeEach
  void start() {
    gw = TestGateway.builder().adapter(new TcpAdapterFactory()).config(EmqxTcpIT.BIND + """
        gateway.tcp.listeners.tcp {
          lp {
            bind = "127.0.0.1:0"
            framing { type = length_field, max_frame_length = 64, length_field { offset = 0, size = 2, byte_order = big, strip = 2 } }
            identity { from = hello_regex, regex = "^ID:(\\\\S+)" }
          }
          nmea {
            bind = "127.0.0.1:0"
            framing { type = line, max_frame_length = 82 }
            identity { from = peer_address }
          }
          fixed {
            bind = "127.0.0.1:0"
            framing { type = fixed, fixed_length = 6 }
            identity { from = hello_bytes, offset = 0, length = 4, encoding = hex, publish_hello = true }
          }
          delim {
            bind = "127.0.0.1:0"
            keepalive = 1s
            framing { type = delimiter, delimiters = ["hex:7e"] }
            identity { from = hello_bytes, offset = 0, length = 3 }
          }
        }
        """).start();
    mqtt = Mqtt5Client.builder().identifier("app").serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    mqtt.connect();
    publishes = mqtt.publishes(MqttGlobalPublishFilter.ALL);
    mqtt.subscribeWith().topicFilter("tcp/+/up").send();
  }

  @AfterEach
  void stop() {
    publishes.close();
    mqtt.disconnect();
    gw.close();
  }

  private InetSocketAddress at(String name) {
    return gw.listener("tcp", "tcp:" + name);
  }

  private Mqtt5Publish next() throws InterruptedException {
    return publishes.receive(10, TimeUnit.SECONDS).orElseThrow();
  }

  private void awaitSubscribed(String clientId) {
    await().atMost(Duration.ofSeconds(10)).until(() -> gw.session(clientId) != null && gw.session(clientId).subscriptions() == 1);
  }

  @Test
  void length_prefixed_device_names_itself_in_a_hello_frame_and_gets_downlink_with_the_same_prefix() throws Exception {
    try (RawDevice d = RawDevice.connect(at("lp"))) {
      d.writeHex("00 09" + Hex.of("ID:pump-7".getBytes()).replace(" ", "")); // hello frame "ID:pump-7"
      d.writeHex("00 03 01 02 03");
      Mqtt5Publish p = next();
      assertThat(p.getTopic().toString()).isEqualTo("tcp/pump-7/up");
      assertThat(Hex.of(p.getPayloadAsBytes())).isEqualTo("01 02 03");
      awaitSubscribed("pump-7");
      mqtt.publishWith().topic("tcp/pump-7/dn").payload(new byte[] {(byte) 0xca, (byte) 0xfe}).send();
      assertThat(d.readHex(4)).isEqualTo("00 02 ca fe");
      assertThat(gw.session("pump-7").attributes()).containsEntry("framing", "length_field").containsEntry("listener", "tcp:lp");
    }
  }

  @Test
  void length_prefixed_frames_split_across_reads_are_reassembled() throws Exception {
    try (RawDevice d = RawDevice.connect(at("lp"))) {
      byte[] stream = Hex.bytes("00 04 49 44 3a 78 00 02 61 62 00 01 63");
      for (byte b : stream) {
        d.write(new byte[] {b});
      }
      assertThat(new String(next().getPayloadAsBytes())).isEqualTo("ab");
      assertThat(new String(next().getPayloadAsBytes())).isEqualTo("c");
    }
  }

  @Test
  void a_length_prefix_over_the_maximum_closes_the_connection() throws Exception {
    try (RawDevice d = RawDevice.connect(at("lp"))) {
      d.writeHex("00 41"); // 65 + 2 > 64
      assertThat(d.closedByServer()).isTrue();
    }
    await().atMost(Duration.ofSeconds(5))
        .until(() -> gw.context("tcp").metrics().counter("malformed", "reason", "too_large").count() == 1);
  }

  @Test
  void nmea_line_device_is_named_by_its_address_and_each_sentence_is_one_message() throws Exception {
    try (RawDevice d = RawDevice.connect(at("nmea"))) {
      d.write("$GPGGA,123519,4807.038,N*47\r\n$GPRMC,123519,A*6A\r\n".getBytes(StandardCharsets.US_ASCII));
      Mqtt5Publish a = next();
      assertThat(a.getTopic().toString()).isEqualTo("tcp/127.0.0.1/up");
      assertThat(new String(a.getPayloadAsBytes(), StandardCharsets.US_ASCII)).isEqualTo("$GPGGA,123519,4807.038,N*47");
      assertThat(new String(next().getPayloadAsBytes(), StandardCharsets.US_ASCII)).isEqualTo("$GPRMC,123519,A*6A");
      awaitSubscribed("127.0.0.1");
      mqtt.publishWith().topic("tcp/127.0.0.1/dn").payload("$PCMD,RESET".getBytes()).send();
      assertThat(new String(d.read(13), StandardCharsets.US_ASCII)).isEqualTo("$PCMD,RESET\r\n");
    }
  }

  @Test
  void a_line_longer_than_max_frame_length_closes_the_connection() throws Exception {
    try (RawDevice d = RawDevice.connect(at("nmea"))) {
      d.write("$".repeat(200).getBytes(StandardCharsets.US_ASCII));
      assertThat(d.closedByServer()).isTrue();
    }
  }

  @Test
  void fixed_size_device_is_named_by_a_byte_range_of_its_hello_which_is_also_published() throws Exception {
    try (RawDevice d = RawDevice.connect(at("fixed"))) {
      d.writeHex("de ad be ef 00 01  11 22 33 44 55 66");
      Mqtt5Publish hello = next();
      assertThat(hello.getTopic().toString()).isEqualTo("tcp/deadbeef/up");
      assertThat(Hex.of(hello.getPayloadAsBytes())).isEqualTo("de ad be ef 00 01");
      assertThat(Hex.of(next().getPayloadAsBytes())).isEqualTo("11 22 33 44 55 66");
      awaitSubscribed("deadbeef");
      mqtt.publishWith().topic("tcp/deadbeef/dn").payload("short".getBytes()).send(); // 5 bytes: cannot be framed
      mqtt.publishWith().topic("tcp/deadbeef/dn").payload("sixsix".getBytes()).send();
      assertThat(new String(d.read(6))).isEqualTo("sixsix");
      assertThat(gw.context("tcp").metrics().counter("messages.dropped", "reason", "unframeable").count()).isEqualTo(1);
    }
  }

  @Test
  void delimited_device_is_closed_when_silent_past_its_keepalive() throws Exception {
    try (RawDevice d = RawDevice.connect(at("delim"))) {
      d.writeHex("41 42 43 7e 68 69 7e"); // hello "ABC", then "hi"
      assertThat(new String(next().getPayloadAsBytes())).isEqualTo("hi");
      awaitSubscribed("ABC");
      mqtt.publishWith().topic("tcp/ABC/dn").payload("go".getBytes()).send();
      assertThat(d.readHex(3)).isEqualTo("67 6f 7e");
      long t0 = System.nanoTime();
      assertThat(d.closedByServer()).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> gw.session("ABC") == null);
  }
}
