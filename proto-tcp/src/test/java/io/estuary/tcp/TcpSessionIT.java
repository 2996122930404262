package io.estuary.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.testkit.ExternalPeers;
import io.estuary.testkit.TestGateway;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions of TCP devices: persistent sessions keep downlink while the device is away (in the durable store, across
 * a gateway restart), and Debian's mosquitto_pub / mosquitto_sub talk to a TCP device both ways.
 */
@Timeout(90)
class TcpSessionIT {
  static final String PERSISTENT = EmqxTcpIT.BIND + "gateway.tcp { clean_start = false, max_mqueue_len = 3 }\n";
  @TempDir Path dir;

  private static void connect(RawDevice d) throws Exception {
    d.writeHex(EmqxTcpIT.CONNECT);
    assertThat(d.readHex(23)).isEqualTo(EmqxTcpIT.CONNACK_OK);
  }

  private static void mosquittoPub(TestGateway gw, String topic, String msg) throws Exception {
    Process p = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(gw.mqttPort()), "-q", "1",
        "-t", topic, "-m", msg).redirectErrorStream(true).start();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
  }

  private static void requireMosquitto() {
    ExternalPeers.require(Files.isExecutable(Path.of("/usr/bin/mosquitto_pub")), "mosquitto-clients not installed");
  }

  @Test
  void mosquitto_sub_receives_datatrans_and_mosquitto_pub_reaches_the_device() throws Exception {
    requireMosquitto();
    try (TestGateway gw = TestGateway.builder().adapter(new TcpAdapterFactory()).config(EmqxTcpIT.BIND).start();
        RawDevice d = RawDevice.connect(gw.listener("tcp", "tcp:default"))) {
      connect(d);
      long before = gw.subscriptionCount();
      Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(gw.mqttPort()),
          "-t", "tcp/abcd/up", "-C", "1", "-W", "20").start();
      try {
        await().atMost(Duration.ofSeconds(10)).until(() -> gw.subscriptionCount() > before);
        d.writeHex("30 00 05 68 65 6c 6c 6f");
        assertThat(sub.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim()).isEqualTo("hello");
      } finally {
        sub.destroy();
      }
      mosquittoPub(gw, "tcp/abcd/dn", "cmd");
      assertThat(d.readHex(6)).isEqualTo("30 00 03 63 6d 64");
    }
  }

  @Test
  void downlink_published_while_the_device_is_away_is_buffered_bounded_and_delivered_on_reconnect() throws Exception {
    requireMosquitto();
    try (TestGateway gw = TestGateway.builder().adapter(new TcpAdapterFactory()).config(PERSISTENT).start()) {
      try (RawDevice d = RawDevice.connect(gw.listener("tcp", "tcp:default"))) {
        connect(d);
        d.writeHex("60");
        assertThat(d.closedByServer()).isTrue();
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> "disconnected".equalsIgnoreCase(gw.session("abcd").state())
          || !gw.session("abcd").state().equalsIgnoreCase("connected"));
      for (int i = 1; i <= 4; i++) {
        mosquittoPub(gw, "tcp/abcd/dn", "m" + i);
      }
      assertThat(gw.session("abcd").persistent()).isTrue();
      assertThat(gw.session("abcd").queued()).as("max_mqueue_len = 3 drops the oldest").isEqualTo(3);
      try (RawDevice d = RawDevice.connect(gw.listener("tcp", "tcp:default"))) {
        connect(d);
        assertThat(d.readHex(15)).isEqualTo("30 00 02 6d 32 30 00 02 6d 33 30 00 02 6d 34");
      }
    }
  }

  @Test
  void a_persistent_session_keeps_its_downlink_across_a_gateway_restart() throws Exception {
    Path data = dir.resolve("data");
    String durable = PERSISTENT + "gateway.tcp.dn_qos = 1\n"; // the store keeps QoS 1/2 messages; QoS 0 stays in memory
    try (TestGateway gw = TestGateway.builder().adapter(new TcpAdapterFactory()).config(durable).persistence(data).start()) {
      try (RawDevice d = RawDevice.connect(gw.listener("tcp", "tcp:default"))) {
        connect(d);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> !gw.session("abcd").state().equalsIgnoreCase("connected"));
      var app = com.hivemq.client.mqtt.mqtt5.Mqtt5Client.builder().identifier("app").serverHost("127.0.0.1")
          .serverPort(gw.mqttPort()).buildBlocking();
      app.connect();
      app.publishWith().topic("tcp/abcd/dn").payload("kept".getBytes())
          .qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE).send();
      app.disconnect();
      assertThat(gw.session("abcd").queued()).isEqualTo(1);
    }
    try (TestGateway gw = TestGateway.builder().adapter(new TcpAdapterFactory()).config(durable).persistence(data).start();
        RawDevice d = RawDevice.connect(gw.listener("tcp", "tcp:default"))) {
      connect(d);
      assertThat(d.readHex(7)).isEqualTo("30 00 04 6b 65 70 74");
    }
  }
}
