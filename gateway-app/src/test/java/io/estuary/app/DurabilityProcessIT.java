package io.estuary.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.testkit.QosClient;
import io.estuary.testkit.QosClient.Received;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The packaged gateway with persistence on, killed with SIGKILL while QoS 1 and QoS 2 publishers
 * stream to persistent subscribers that are offline; restarted on the same directory each time.
 * Every message acknowledged to a publisher must reach every subscriber: QoS 1 at least once, QoS 2
 * exactly once, in each publisher's order.
 */
@Timeout(150)
class DurabilityProcessIT {
  private static final Logger LOG = LoggerFactory.getLogger(DurabilityProcessIT.class);
  /** Replays one run's kill points: {@code -Destuary.durability.seed=<the seed the failed run logged>}. */
  static final String SEED_PROPERTY = "estuary.durability.seed";
  static final String CONF = """
      persistence.enabled = true
      persistence.sync = interval
      mqtt.max_mqueue_len = 1000000
      mqtt.max_inflight = 64
      """;

  static GatewayProcess start(Path conf) throws Exception {
    GatewayProcess gw = GatewayProcess.start(conf, Map.of());
    assertThat(gw.awaitLine("Estuary started", Duration.ofSeconds(60))).as(gw.output()).isTrue();
    return gw;
  }

  @Test
  void every_acknowledged_message_survives_kill_9_at_three_points(@TempDir Path dir) throws Exception {
    Path conf = GatewayProcess.config(dir, CONF);
    try (GatewayProcess gw = start(conf)) {
      int port = gw.port("mqtt", "tcp:default");
      for (String[] s : new String[][] {{"sub-exactly", "2"}, {"sub-least", "1"}}) {
        try (QosClient c = QosClient.connect(port, s[0], false)) {
          c.subscribe("dur/#", Integer.parseInt(s[1]));
        }
      }
      gw.terminate();
      assertThat(gw.waitForExit(Duration.ofSeconds(20))).isEqualTo(0);
    }
    StreamingPublisher q1 = new StreamingPublisher("pub-q1", "dur/q1", 1, 32);
    StreamingPublisher q2 = new StreamingPublisher("pub-q2", "dur/q2", 2, 32);
    long seed = Long.getLong(SEED_PROPERTY, System.nanoTime());
    LOG.info("kill points from seed {} (replay with -D{}={})", seed, SEED_PROPERTY, seed);
    String replay = "kill points seed " + seed + ", replay with -D" + SEED_PROPERTY + "=" + seed;
    Random rnd = new Random(seed);
    for (int kill = 0; kill < 3; kill++) {
      try (GatewayProcess gw = start(conf)) {
        int port = gw.port("mqtt", "tcp:default");
        long before = q1.acked.size() + q2.acked.size();
        long killAt = before + 500 + rnd.nextInt(2500);
        Thread t1 = new Thread(() -> q1.runAgainst(port), "pub-q1");
        Thread t2 = new Thread(() -> q2.runAgainst(port), "pub-q2");
        t1.start();
        t2.start();
        await(replay).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
            .until(() -> q1.acked.size() + q2.acked.size() >= killAt);
        gw.kill(); // SIGKILL with both publishers mid-stream
        assertThat(gw.waitForExit(Duration.ofSeconds(20))).as(replay).isNotNull();
        t1.join(20_000);
        t2.join(20_000);
        assertThat(q1.sent.get() + q2.sent.get()).as("publishes were in flight at the kill (%s)", replay)
            .isGreaterThan(q1.acked.size() + q2.acked.size());
      }
    }
    try (GatewayProcess gw = start(conf)) {
      int port = gw.port("mqtt", "tcp:default");
      List<Received> exactly;
      List<Received> least;
      // every acknowledged message, then whatever else comes within a second (unacknowledged publishes the
      // gateway had stored before the kill, and any duplicate that exactly-once must not have)
      try (QosClient c = QosClient.connect(port, "sub-exactly", false)) {
        exactly = c.receiveUntil(got -> allAcknowledgedArrived(got, q1, q2), Duration.ofSeconds(60), true);
        exactly.addAll(c.receiveFor(Duration.ofSeconds(1), true));
      }
      try (QosClient c = QosClient.connect(port, "sub-least", false)) {
        least = c.receiveUntil(got -> allAcknowledgedArrived(got, q1, q2), Duration.ofSeconds(60), true);
        least.addAll(c.receiveFor(Duration.ofSeconds(1), true));
      }
      assertThat(gw.output()).doesNotContain("corrupt");
      for (StreamingPublisher p : List.of(q1, q2)) {
        check(p, exactly, p.qos == 2, replay);
        check(p, least, false, replay);
      }
    }
  }

  @Test
  void a_second_gateway_on_the_same_directory_refuses_to_start(@TempDir Path dir) throws Exception {
    Path conf = GatewayProcess.config(dir, "persistence.enabled = true\n");
    try (GatewayProcess first = start(conf); GatewayProcess second = GatewayProcess.start(conf, Map.of())) {
      assertThat(second.waitForExit(Duration.ofSeconds(60))).as(second.output()).isEqualTo(2);
      assertThat(second.output()).contains("persistence.dir", dir.resolve("data").toString(), "in use by another Estuary process");
      assertThat(first.waitForExit(Duration.ofMillis(100))).as("the first one keeps running").isNull();
    }
  }

  static boolean allAcknowledgedArrived(List<Received> got, StreamingPublisher... publishers) {
    if (got.size() < java.util.Arrays.stream(publishers).mapToInt(p -> p.acked.size()).sum()) {
      return false; // cheap: not enough yet
    }
    for (StreamingPublisher p : publishers) {
      if (!new HashSet<>(sequences(p, got)).containsAll(p.acked)) {
        return false;
      }
    }
    return true;
  }

  static List<Long> sequences(StreamingPublisher p, List<Received> got) {
    String prefix = p.name + "-";
    List<Long> seqs = new ArrayList<>();
    for (Received r : got) {
      if (r.payload().startsWith(prefix)) {
        seqs.add(Long.parseLong(r.payload().substring(prefix.length())));
      }
    }
    return seqs;
  }

  /** Every acknowledged sequence arrived, in order; with {@code exactlyOnce}, none arrived twice. */
  static void check(StreamingPublisher p, List<Received> got, boolean exactlyOnce, String replay) {
    List<Long> seqs = sequences(p, got);
    Set<Long> distinct = new HashSet<>(seqs);
    Set<Long> lost = new HashSet<>(p.acked);
    lost.removeAll(distinct);
    assertThat(lost).as("%s: acknowledged but not delivered (of %d acked; %s)", p.name, p.acked.size(), replay).isEmpty();
    if (exactlyOnce) {
      assertThat(seqs).as("%s delivered more than once (%s)", p.name, replay).hasSameSizeAs(distinct);
    }
    Map<Long, Boolean> seen = new HashMap<>();
    long last = 0;
    for (long s : seqs) {
      if (seen.put(s, true) == null) {
        assertThat(s).as("%s order (%s)", p.name, replay).isGreaterThan(last);
        last = s;
      }
    }
  }
}
