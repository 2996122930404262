package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.testkit.ExternalPeers;
import io.estuary.testkit.TestGateway;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every MQTT 5 publish property reaches the subscriber whatever the client library on either side
 * (Debian's mosquitto_pub/mosquitto_sub and Paho Python, processes started by the test), the QoS, whether
 * the subscriber is online or its session queues the message, and whether the store is memory or RocksDB.
 * A publish whose only properties are user properties is the case that used to lose them (issue 18).
 */
@Timeout(60)
class MqttPropertiesInteropIT {
  static final String PYTHON = "/usr/bin/python3";
  /** What a subscriber prints: mosquitto_sub's format, which the Paho script copies. */
  static final String FORMAT = "%t|%p|%P|%C|%R|%D|%E|%F";
  static final String USER = "k:v k2:v2 k:v3";

  static TestGateway memory;
  static TestGateway rocks;
  static Path pahoScript;
  @TempDir
  static Path data;

  @BeforeAll
  static void start() throws URISyntaxException {
    ExternalPeers.require(Files.isExecutable(Path.of("/usr/bin/mosquitto_sub")), "mosquitto-clients not installed");
    ExternalPeers.require(pahoInstalled(), "python3-paho-mqtt not installed (Debian's python3 cannot import paho.mqtt)");
    pahoScript = Path.of(MqttPropertiesInteropIT.class.getResource("/paho/props_client.py").toURI());
    memory = TestGateway.builder().start();
    rocks = TestGateway.builder().persistence(data.resolve("rocks")).start();
  }

  @AfterAll
  static void stop() {
    for (TestGateway g : new TestGateway[] {memory, rocks}) {
      if (g != null) {
        g.close();
      }
    }
  }

  static boolean pahoInstalled() {
    if (!Files.isExecutable(Path.of(PYTHON))) {
      return false;
    }
    try {
      Process p = new ProcessBuilder(PYTHON, "-c", "import paho.mqtt.client").redirectErrorStream(true).start();
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static Stream<Arguments> cases() {
    List<Arguments> all = new ArrayList<>();
    for (String store : List.of("memory", "rocksdb")) {
      for (String pub : List.of("mosquitto_pub", "paho")) {
        for (String sub : List.of("mosquitto_sub", "paho")) {
          for (String mode : List.of("user", "all")) {
            all.add(Arguments.of(store, pub, sub, 1, true, mode));
            if (store.equals("memory")) {
              all.add(Arguments.of(store, pub, sub, 0, false, mode));
              all.add(Arguments.of(store, pub, sub, 1, false, mode));
            }
          }
        }
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} store: {1} -> {2}, QoS {3}, queued {4}, properties {5}")
  @MethodSource("cases")
  void the_subscriber_receives_every_property_the_publisher_sent(
      String store, String pubClient, String subClient, int qos, boolean queued, String mode) throws Exception {
    TestGateway gw = store.equals("memory") ? memory : rocks;
    String id = String.join("-", store, pubClient, subClient, "q" + qos, queued ? "queued" : "online", mode);
    String topic = "props/" + id;
    String subId = "sub-" + id;
    int port = gw.mqttPort();

    Process sub;
    if (queued) {
      // the session subscribes and goes away; the message waits in its queue (and store) until it comes back
      Process first = startSub(subClient, port, subId, topic, qos, 0);
      assertThat(first.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(first.exitValue()).as(output(first)).isZero();
      await().atMost(Duration.ofSeconds(20)).until(() -> gw.broker().sessionView(subId) != null
          && gw.broker().sessionView(subId).state().equals("disconnected"));
      publish(pubClient, port, "pub-" + id, topic, qos, mode);
      await().atMost(Duration.ofSeconds(20)).until(() -> gw.broker().sessionView(subId).queued() == 1);
      sub = startSub(subClient, port, subId, topic, qos, 1);
    } else {
      sub = startSub(subClient, port, subId, topic, qos, 1);
      await().atMost(Duration.ofSeconds(20)).until(() -> gw.broker().sessionView(subId) != null
          && gw.broker().sessionView(subId).subscriptions() == 1);
      publish(pubClient, port, "pub-" + id, topic, qos, mode);
    }
    assertThat(sub.waitFor(30, TimeUnit.SECONDS)).isTrue();
    List<String> lines = lines(sub);
    assertThat(sub.exitValue()).as(String.join("\n", lines)).isZero();
    String got = lines.stream().filter(l -> l.startsWith(topic + "|")).findFirst().orElseThrow(
        () -> new AssertionError("no message in " + lines));
    String[] f = got.split("\\|", -1);
    assertThat(f).hasSize(8);
    assertThat(f[1]).isEqualTo("m-" + mode);
    assertThat(f[2]).as("user properties, in order").isEqualTo(USER);
    if (mode.equals("all")) {
      assertThat(f[3]).as("content type").isEqualTo("text/plain");
      assertThat(f[4]).as("response topic").isEqualTo("reply/here");
      assertThat(f[5]).as("correlation data").isEqualTo("corr-1");
      assertThat(Integer.parseInt(f[6])).as("message expiry: the time left of 60 s").isBetween(1, 60);
      assertThat(f[7]).as("payload format indicator").isEqualTo("1");
    } else {
      assertThat(String.join("", f[3], f[4], f[5], f[6], f[7])).as("nothing the publisher did not send").isEmpty();
    }
  }

  private Process startSub(String client, int port, String clientId, String topic, int qos, int count) throws IOException {
    List<String> cmd = client.equals("paho")
        ? List.of(PYTHON, pahoScript.toString(), "sub", "127.0.0.1", String.valueOf(port), clientId, topic,
            String.valueOf(qos), String.valueOf(count), count == 0 ? "true" : "false", "20")
        : count == 0
            ? List.of("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(port), "-V", "mqttv5", "-i", clientId,
                "-c", "-x", "300", "-q", String.valueOf(qos), "-t", topic, "-E")
            : List.of("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(port), "-V", "mqttv5", "-i", clientId,
                "-c", "-x", "300", "-q", String.valueOf(qos), "-t", topic, "-C", "1", "-W", "20", "-F", FORMAT);
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  private void publish(String client, int port, String clientId, String topic, int qos, String mode) throws Exception {
    List<String> cmd = new ArrayList<>();
    if (client.equals("paho")) {
      cmd.addAll(List.of(PYTHON, pahoScript.toString(), "pub", "127.0.0.1", String.valueOf(port), clientId, topic,
          String.valueOf(qos), "m-" + mode, mode));
    } else {
      cmd.addAll(List.of("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(port), "-V", "mqttv5", "-i", clientId,
          "-q", String.valueOf(qos), "-t", topic, "-m", "m-" + mode,
          "-D", "publish", "user-property", "k", "v", "-D", "publish", "user-property", "k2", "v2",
          "-D", "publish", "user-property", "k", "v3"));
      if (mode.equals("all")) {
        cmd.addAll(List.of("-D", "publish", "content-type", "text/plain", "-D", "publish", "response-topic", "reply/here",
            "-D", "publish", "correlation-data", "corr-1", "-D", "publish", "payload-format-indicator", "1",
            "-D", "publish", "message-expiry-interval", "60"));
      }
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output(p)).isZero();
  }

  private static List<String> lines(Process p) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      return r.lines().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String output(Process p) {
    return String.join("\n", lines(p));
  }
}
