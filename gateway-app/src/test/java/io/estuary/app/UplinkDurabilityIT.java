package io.estuary.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.estuary.testkit.ExternalPeers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The uplink's store-and-forward buffer survives SIGKILL: with persistence on, QoS 1 messages
 * acknowledged locally while the upstream (mosquitto) is down all reach it, in order, after the
 * packaged gateway was killed with -9 and restarted on the same persistence.dir.
 */
@Timeout(180)
class UplinkDurabilityIT {
  private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @Test
  void qos1_messages_acknowledged_while_upstream_is_down_reach_it_in_order_after_kill_9(@TempDir Path dir) throws Exception {
    ExternalPeers.require(Files.isExecutable(MOSQUITTO), "mosquitto not installed at " + MOSQUITTO);
    try (ZipFile jar = new ZipFile(GatewayProcess.jar().toFile())) {
      // gateway-app/pom.xml must not declare hivemq-mqtt-client with <scope>test</scope>: that
      // overrides the uplink's compile dependency and leaves the client out of the packaged jar. That is a
      // packaging bug, not a missing peer: fail everywhere instead of skipping.
      assertThat(jar.getEntry("com/hivemq/client/mqtt/MqttClient.class"))
          .as("target/estuary.jar lacks hivemq-mqtt-client: the packaged uplink cannot run").isNotNull();
    }
    int n = 500;
    try (Upstream up = new Upstream(dir.resolve("mosquitto"));
         Spy spy = new Spy(up.port)) {
      Path conf = GatewayProcess.config(dir, """
          persistence.enabled = true
          uplink.cloud {
            enable = true
            server = "127.0.0.1:%d"
            reconnect { min = 100ms, max = 500ms }
            forwards = [{ filter = "devices/#", remote_topic = "up/${topic}", qos = 1 }]
          }
          """.formatted(up.port));
      try (GatewayProcess gw = start(conf)) {
        assertThat(gw.awaitLine("uplink cloud connected", DEADLINE)).as(gw.output()).isTrue();
        int port = gw.port("mqtt", "tcp:default");
        try (Publisher device = new Publisher(port)) {
          await("the path works").atMost(DEADLINE).pollInterval(Duration.ofMillis(200)).until(() -> {
            device.publish("devices/probe", "probe");
            return spy.payloads.contains("probe");
          });
          up.stop();
          assertThat(gw.awaitLine("uplink cloud lost", DEADLINE)).as(gw.output()).isTrue();
          for (int i = 0; i < n; i++) {
            device.publish("devices/seq", Integer.toString(i)); // returns once Estuary acknowledged it
          }
        }
        gw.kill();
        assertThat(gw.waitForExit(Duration.ofSeconds(20))).isNotNull();
      }
      try (GatewayProcess gw = start(conf)) {
        up.start();
        List<String> expected = IntStream.range(0, n).mapToObj(Integer::toString).toList();
        await("every acknowledged message upstream").atMost(DEADLINE).untilAsserted(() ->
            assertThat(spy.distinct()).as("gateway output:%n%s", gw.output()).hasSize(n + 1));
        // QoS 1 may repeat a message, never lose or reorder one
        assertThat(spy.distinct().stream().filter(p -> !p.equals("probe")).toList()).isEqualTo(expected);
      }
    }
  }

  private static GatewayProcess start(Path conf) throws Exception {
    GatewayProcess gw = GatewayProcess.start(conf, Map.of());
    assertThat(gw.awaitLine("Estuary started", DEADLINE)).as(gw.output()).isTrue();
    return gw;
  }

  /** A local MQTT client publishing QoS 1, each call blocking until the gateway's PUBACK. */
  private static final class Publisher implements AutoCloseable {
    final Mqtt5BlockingClient client;

    Publisher(int port) {
      client = MqttClient.builder().useMqttVersion5().identifier("device").serverHost("127.0.0.1").serverPort(port).buildBlocking();
      client.connect();
    }

    void publish(String topic, String payload) {
      client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload.getBytes(StandardCharsets.UTF_8)).send();
    }

    @Override
    public void close() {
      client.disconnect();
    }
  }

  /** The upstream subscriber: a persistent session that reconnects by itself after a mosquitto restart. */
  private static final class Spy implements AutoCloseable {
    final Mqtt5BlockingClient client;
    final List<String> payloads = new CopyOnWriteArrayList<>();

    Spy(int port) {
      client = MqttClient.builder().useMqttVersion5().identifier("spy").serverHost("127.0.0.1").serverPort(port)
          .automaticReconnect().initialDelay(100, TimeUnit.MILLISECONDS).maxDelay(500, TimeUnit.MILLISECONDS).applyAutomaticReconnect()
          .buildBlocking();
      client.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> payloads.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)));
      client.connectWith().cleanStart(false).sessionExpiryInterval(600).send();
      client.subscribeWith().topicFilter("up/#").qos(MqttQos.AT_LEAST_ONCE).send();
    }

    /** Payloads in order of first arrival. */
    List<String> distinct() {
      return new ArrayList<>(new LinkedHashSet<>(payloads));
    }

    @Override
    public void close() {
      try {
        client.disconnect();
      } catch (RuntimeException ignored) {
        // mosquitto already gone
      }
    }
  }

  /** mosquitto on a free loopback port; {@code persistence true} keeps the spy's session across stop/start. */
  private static final class Upstream implements AutoCloseable {
    final Path dir;
    final int port;
    Process process;

    Upstream(Path dir) throws IOException {
      this.dir = Files.createDirectories(dir);
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress("127.0.0.1", 0)); // mosquitto cannot report an ephemeral port
        port = s.getLocalPort();
      }
      start();
    }

    void start() throws IOException {
      Path conf = dir.resolve("mosquitto.conf");
      Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\nuser " + System.getProperty("user.name")
          + "\npersistence true\npersistence_location " + dir + "/\nautosave_interval 1\n");
      process = new ProcessBuilder(MOSQUITTO.toString(), "-c", conf.toString()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
      await("mosquitto listening").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 200);
          return true;
        }
      });
    }

    /** SIGTERM: mosquitto saves its sessions and exits. */
    void stop() throws InterruptedException {
      if (process != null && process.isAlive()) {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
    }

    @Override
    public void close() throws InterruptedException {
      stop();
    }
  }
}
