package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.testkit.ExternalPeers;
import io.estuary.testkit.TestGateway;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Smoke test with Debian's mosquitto_pub / mosquitto_sub (installed by .ci/run). */
@Timeout(60)
class MosquittoClientsIT {
  static TestGateway gw;

  @BeforeAll
  static void start() {
    ExternalPeers.require(Files.isExecutable(Path.of("/usr/bin/mosquitto_sub")), "mosquitto-clients not installed");
    gw = TestGateway.builder().start();
  }

  @AfterAll
  static void stop() {
    if (gw != null) {
      gw.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mqttv311", "mqttv5", "mqttv31"})
  void mosquitto_pub_reaches_mosquitto_sub(String version) throws Exception {
    String port = String.valueOf(gw.mqttPort());
    Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-V", version, "-t", "smoke/" + version,
        "-q", "1", "-C", "1", "-W", "20", "-i", "msub-" + version).redirectErrorStream(true).start();
    // wait until the subscriber's session exists, then publish
    org.awaitility.Awaitility.await().until(() -> gw.broker().sessionView("msub-" + version) != null
        && gw.broker().sessionView("msub-" + version).subscriptions() == 1);
    Process pub = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-V", version, "-t", "smoke/" + version,
        "-q", "1", "-m", "hello " + version).redirectErrorStream(true).start();
    assertThat(pub.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(pub.exitValue()).isZero();
    assertThat(sub.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim()).isEqualTo("hello " + version);
  }

  @Test
  void mosquitto_sub_sees_retained_message() throws Exception {
    String port = String.valueOf(gw.mqttPort());
    Process pub = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-t", "smoke/retained", "-r", "-m", "kept").start();
    assertThat(pub.waitFor(20, TimeUnit.SECONDS)).isTrue();
    Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-t", "smoke/#", "-C", "1", "-W", "20", "-v").start();
    assertThat(sub.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim()).isEqualTo("smoke/retained kept");
  }
}
