package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.testkit.ExternalPeers;
import io.estuary.testkit.TestGateway;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #13's slow-connection test: 10,000 TCP connections that never send CONNECT are all closed by the server
 * within {@code mqtt.idle_timeout} (each client socket sees EOF), the listener's connection gauge goes back to 0
 * and the heap back to its baseline. The clients are a Python process (its own file descriptors: this JVM holds
 * the 10,000 server ends).
 */
@Timeout(90)
class MqttIdleFloodIT {
  private static final int CONNECTIONS = 10_000;
  private static final Duration IDLE = Duration.ofSeconds(10); // long enough for all 10,000 to be open at once

  @Test
  void ten_thousand_connections_that_never_send_connect_are_all_closed_on_time_and_their_memory_is_freed() throws Exception {
    Path python = Path.of("/usr/bin/python3");
    ExternalPeers.require(Files.isExecutable(python), "Debian's python3 for the idle-socket client");
    Path script = Path.of(MqttIdleFloodIT.class.getResource("/idle_sockets.py").toURI());
    try (TestGateway gw = TestGateway.builder()
        .config("mqtt.idle_timeout = " + IDLE.toSeconds() + "s\nlisteners.tcp.default.max_conn_rate = infinity").start()) {
      long baseline = usedHeapAfterGc();
      Process p = new ProcessBuilder(python.toString(), script.toString(), String.valueOf(gw.mqttPort()),
          String.valueOf(CONNECTIONS), "50").redirectErrorStream(true).start();
      try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String connected = out.readLine();
        assertThat(connected).as("the client opened every connection").startsWith("connected");
        await("every connection accepted").atMost(Duration.ofSeconds(10)).until(() -> gauge(gw) == CONNECTIONS);
        long peak = usedHeapAfterGc();
        String closed = out.readLine();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String[] f = closed.split(" ");
        int eof = Integer.parseInt(f[1]);
        int reset = Integer.parseInt(f[2]);
        int open = Integer.parseInt(f[3]);
        double minAge = Double.parseDouble(f[4]);
        double maxAge = Double.parseDouble(f[5]);
        assertThat(open).as("connections still open at the client's deadline").isZero();
        assertThat(eof).as("each client socket saw EOF (a clean close, no reset)").isEqualTo(CONNECTIONS);
        assertThat(reset).isZero();
        assertThat(minAge).as("none closed before idle_timeout").isGreaterThanOrEqualTo(IDLE.toMillis() / 1000.0 - 0.05);
        assertThat(maxAge).as("all closed within idle_timeout plus scheduling slack").isLessThan(IDLE.toSeconds() + 6.0);
        await("the connection gauge back to 0").atMost(Duration.ofSeconds(10)).until(() -> gauge(gw) == 0);
        assertThat(gw.metrics().counter("mqtt.drops", "reason", "connect_timeout").count()).isEqualTo(CONNECTIONS);
        long after = usedHeapAfterGc();
        System.out.printf("MqttIdleFloodIT: %s; %s; heap used after GC: baseline %d KiB, %d connections %d KiB,"
            + " after %d KiB%n", connected, closed, baseline / 1024, CONNECTIONS, peak / 1024, after / 1024);
        assertThat(after).as("heap back to baseline (+16 MiB slack)").isLessThan(baseline + 16L * 1024 * 1024);
      } finally {
        p.destroy();
      }
    }
  }

  private static double gauge(TestGateway gw) {
    var g = gw.gateway().metrics().registry().find("estuary.mqtt.connections").gauge();
    return g == null ? -1 : g.value();
  }

  /** Used heap after a full collection, as the JVM's MemoryMXBean (JMX) reports it. */
  private static long usedHeapAfterGc() throws InterruptedException {
    var memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      memory.gc();
      Thread.sleep(100); // lets reference processing finish between collections; a measurement, not synchronisation
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
