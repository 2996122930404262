package io.estuary.bench.durability;

import io.estuary.bench.InProcessGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Repeats the kill -9 durability scenario at random kill points: a QoS 1 and a QoS 2 publisher
 * stream to two offline persistent subscribers ("dur/#" at QoS 2 and at QoS 1); after each kill the
 * gateway restarts on the same directory and the publishers continue. At the end the subscribers
 * drain and every acknowledged message is checked. Loopback only.
 */
@Command(name = "kill-stress", mixinStandardHelpOptions = true,
    description = "SIGKILL the packaged gateway at random points and count lost / duplicated acknowledged messages.")
public final class KillStress implements Callable<Integer> {
  @Option(names = "--jar", defaultValue = "gateway-app/target/estuary.jar", description = "The packaged gateway (default: ${DEFAULT-VALUE}).")
  Path jar;

  @Option(names = "--kills", defaultValue = "20", description = "Kill points (default: ${DEFAULT-VALUE}).")
  int kills;

  @Option(names = "--sync", defaultValue = "interval", description = "persistence.sync: always, interval, never (default: ${DEFAULT-VALUE}).")
  String sync;

  @Option(names = "--window", defaultValue = "32", description = "PUBLISHes in flight per publisher (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(names = "--min-acks", defaultValue = "100", description = "Fewest acknowledgements before a kill (default: ${DEFAULT-VALUE}).")
  int minAcks;

  @Option(names = "--max-acks", defaultValue = "4000", description = "Most acknowledgements before a kill (default: ${DEFAULT-VALUE}).")
  int maxAcks;

  @Option(names = "--seed", description = "Random seed for the kill points (default: random, printed).")
  Long seed;

  @Option(names = "--java-opts", defaultValue = "-Xmx512m", description = "JVM options of the gateway (default: ${DEFAULT-VALUE}).")
  String javaOpts;

  public static void main(String[] args) {
    System.exit(new CommandLine(new KillStress()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    long s = seed != null ? seed : new Random().nextLong();
    Random rnd = new Random(s);
    Path dir = Files.createTempDirectory("kill-stress");
    Path conf = dir.resolve("estuary.conf");
    Files.writeString(conf, InProcessGateway.base("kill-stress") + """
        node.shutdown_grace = 5s
        api.enable = false
        gateway.mqttsn.enable = false
        gateway.coap.enable = false
        gateway.lwm2m.enable = false
        gateway.tcp.enable = false
        gateway.stomp.enable = false
        persistence { enabled = true, dir = "%s", sync = %s }
        mqtt.max_mqueue_len = 10000000
        """.formatted(dir.resolve("data").toString().replace("\\", "/"), sync));
    System.out.printf("kill-stress: %d kills, sync=%s, seed=%d, dir=%s%n", kills, sync, s, dir);
    try (GatewayChild gw = new GatewayChild(jar.toAbsolutePath(), conf, javaOpts)) {
      int port = gw.awaitStarted(60_000);
      try (RawMqtt a = new RawMqtt(port, "sub-exactly", false); RawMqtt b = new RawMqtt(port, "sub-least", false)) {
        a.subscribe("dur/#", 2);
        b.subscribe("dur/#", 1);
      }
      gw.terminate();
    }
    Publisher q1 = new Publisher("pub-q1", "dur/q1", 1, window);
    Publisher q2 = new Publisher("pub-q2", "dur/q2", 2, window);
    long started = System.nanoTime();
    for (int k = 1; k <= kills; k++) {
      try (GatewayChild gw = new GatewayChild(jar.toAbsolutePath(), conf, javaOpts)) {
        int port = gw.awaitStarted(60_000);
        long before = q1.acked.size() + q2.acked.size();
        long unackedBefore = q1.sent.get() + q2.sent.get() - before;
        long target = before + minAcks + rnd.nextInt(Math.max(1, maxAcks - minAcks));
        Thread t1 = new Thread(() -> q1.runAgainst(port), "pub-q1");
        Thread t2 = new Thread(() -> q2.runAgainst(port), "pub-q2");
        t1.start();
        t2.start();
        long deadline = System.currentTimeMillis() + 60_000;
        while (q1.acked.size() + q2.acked.size() < target && System.currentTimeMillis() < deadline) {
          Thread.sleep(1);
        }
        long inFlight = q1.sent.get() + q2.sent.get() - q1.acked.size() - q2.acked.size() - unackedBefore;
        gw.kill();
        t1.join(20_000);
        t2.join(20_000);
        System.out.printf("kill %2d: after %6d acknowledged (%d unacknowledged in flight)%n", k, q1.acked.size() + q2.acked.size(), inFlight);
      }
    }
    Map<String, List<Long>> exactly = new HashMap<>();
    Map<String, List<Long>> least = new HashMap<>();
    try (GatewayChild gw = new GatewayChild(jar.toAbsolutePath(), conf, javaOpts)) {
      long t0 = System.nanoTime();
      int port = gw.awaitStarted(60_000);
      long startMs = (System.nanoTime() - t0) / 1_000_000;
      try (RawMqtt a = new RawMqtt(port, "sub-exactly", false)) {
        a.drain(Duration.ofSeconds(2), p -> add(exactly, p));
      }
      try (RawMqtt b = new RawMqtt(port, "sub-least", false)) {
        b.drain(Duration.ofSeconds(2), p -> add(least, p));
      }
      long corrupt = gw.lines().stream().filter(l -> l.contains("corrupt")).count();
      gw.terminate();
      Result r = new Result();
      r.check(q1, exactly.getOrDefault(q1.name, List.of()), false);
      r.check(q2, exactly.getOrDefault(q2.name, List.of()), true);
      r.check(q1, least.getOrDefault(q1.name, List.of()), false);
      r.check(q2, least.getOrDefault(q2.name, List.of()), false);
      long seconds = (System.nanoTime() - started) / 1_000_000_000;
      System.out.printf("%n| | QoS 1 publisher | QoS 2 publisher |%n|---|---|---|%n| acknowledged | %d | %d |%n| sent | %d | %d |%n%n",
          q1.acked.size(), q2.acked.size(), q1.sent.get(), q2.sent.get());
      System.out.printf("RESULT kills=%d sync=%s seed=%d acked=%d lost=%d dup_qos2=%d redelivered_qos1=%d order_violations=%d corrupt_lines=%d last_start_ms=%d seconds=%d%n",
          kills, sync, s, q1.acked.size() + q2.acked.size(), r.lost, r.dupExactly, r.dupLeast, r.order, corrupt, startMs, seconds);
      return r.lost == 0 && r.dupExactly == 0 && r.order == 0 ? 0 : 3;
    }
  }

  private static void add(Map<String, List<Long>> m, String payload) {
    int dash = payload.lastIndexOf('-');
    m.computeIfAbsent(payload.substring(0, dash), k -> new ArrayList<>()).add(Long.parseLong(payload.substring(dash + 1)));
  }

  /** Lost = acknowledged but never delivered; dup = delivered twice (an error only for QoS 2 end to end). */
  static final class Result {
    long lost;
    long dupExactly;
    long dupLeast;
    long order;

    void check(Publisher p, List<Long> got, boolean exactlyOnce) {
      Set<Long> distinct = new HashSet<>(got);
      for (long seq : p.acked) {
        if (!distinct.contains(seq)) {
          lost++;
        }
      }
      long dups = got.size() - distinct.size();
      if (exactlyOnce) {
        dupExactly += dups;
      } else {
        dupLeast += dups;
      }
      Set<Long> seen = new HashSet<>();
      long last = 0;
      for (long seq : got) {
        if (seen.add(seq)) {
          if (seq < last) {
            order++;
          }
          last = seq;
        }
      }
    }
  }
}
