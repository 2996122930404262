package io.estuary.bench.uplink;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Uplink benchmark (bench/uplink-bench.sh). Each scenario starts its own mosquitto, Estuary with one
 * uplink to it, a counting subscriber on mosquitto ({@code up/#}, QoS 1) and MQTT publishers on
 * Estuary, all on 127.0.0.1. Prints one markdown row per scenario.
 * <ul>
 *   <li>{@code forward}: publishers send {@code --messages} at QoS 0 and 1 as fast as Estuary takes
 *       them; throughput = messages received upstream / time from the first publish to the last arrival;
 *   <li>{@code drain}: mosquitto stopped, {@code --backlog} QoS 1 messages published locally (all
 *       acknowledged, waiting in the uplink's session queue), mosquitto started; drain time = mosquitto
 *       start to the last message at the subscriber, checked complete and in order.
 * </ul>
 */
@Command(name = "uplink-bench", mixinStandardHelpOptions = true, description = "Estuary uplink → mosquitto benchmarks")
public final class UplinkBench implements Callable<Integer> {

  @Option(names = "--mode", description = "forward, drain or all (default ${DEFAULT-VALUE})")
  String mode = "all";

  @Option(names = "--messages", description = "messages per forward run (default ${DEFAULT-VALUE})")
  long messages = 300_000;

  @Option(names = "--qos", split = ",", description = "forward QoS levels (default ${DEFAULT-VALUE})")
  List<Integer> qos = List.of(0, 1);

  @Option(names = "--rate", description = "forward: total publish rate in msgs/s, 0 = as fast as Estuary takes them (default ${DEFAULT-VALUE})")
  double rate = 0;

  @Option(names = "--backlog", description = "messages buffered during the outage (default ${DEFAULT-VALUE})")
  long backlog = 1_000_000;

  @Option(names = "--publishers", description = "local MQTT publishers (default ${DEFAULT-VALUE})")
  int publishers = 4;

  @Option(names = "--size", description = "payload bytes (default ${DEFAULT-VALUE})")
  int size = 64;

  @Option(names = "--max-inflight", description = "uplink max_inflight (mqtt.max_inflight raised to match) (default ${DEFAULT-VALUE})")
  int maxInflight = 32;

  @Option(names = "--persistence", description = "RocksDB store in a temp dir instead of memory")
  boolean persistence;

  @Option(names = "--timeout", description = "seconds per phase before giving up (default ${DEFAULT-VALUE})")
  long timeoutSeconds = 300;

  @Option(names = "--runs", description = "forward: runs per QoS level; with more than one, a median row follows (default ${DEFAULT-VALUE})")
  int runs = 1;

  @Option(names = "--mosquitto", description = "mosquitto binary (default ${DEFAULT-VALUE})")
  Path mosquitto = Path.of("/usr/sbin/mosquitto");

  public static void main(String[] args) {
    System.exit(new CommandLine(new UplinkBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    System.out.printf(Locale.ROOT, "uplink-bench: %d publishers%s, %d-byte payloads, max_inflight %d, store %s, %d cores, java %s, max heap %d MB%n",
        publishers, rate > 0 ? String.format(Locale.ROOT, " paced to %.0f msgs/s", rate) : "", size, maxInflight, persistence ? "rocksdb" : "memory", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20);
    boolean ok = true;
    if (mode.equals("forward") || mode.equals("all")) {
      System.out.println("| scenario | messages | QoS | time (s) | msgs/s upstream | publish msgs/s | duplicates | gaps | load avg (1 min) |");
      System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
      for (int q : qos) {
        List<Double> rates = new java.util.ArrayList<>();
        for (int r = 0; r < runs; r++) {
          ok &= forward(q, rates);
        }
        if (runs > 1) {
          List<Double> sorted = rates.stream().sorted().toList();
          double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
              : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
          System.out.printf(Locale.ROOT, "| **median of %d** | %d | %d | | **%,.0f** | | | | |%n", runs, messages, q, median);
        }
      }
    }
    if (mode.equals("drain") || mode.equals("all")) {
      ok &= drain();
    }
    return ok ? 0 : 1;
  }

  /** The 1-minute load average (other processes share the cores: it tells how comparable a run is). */
  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException | RuntimeException e) {
      return "?";
    }
  }

  private boolean forward(int q, List<Double> rates) throws Exception {
    try (MosquittoProcess up = new MosquittoProcess(mosquitto)) {
      up.start();
      try (UpstreamCounter warmCounter = new UpstreamCounter(up.port(), "warm", publishers);
           UpstreamCounter counter = new UpstreamCounter(up.port(), "run", publishers);
           EstuaryNode node = new EstuaryNode(up.port(), maxInflight, messages * 2, storeDir());
           StatusWatcher status = new StatusWatcher(node.mqttPort, EstuaryNode.UPLINK);
           LocalPublishers pubs = new LocalPublishers(node.mqttPort, publishers)) {
        await("uplink connected", status::connected);
        long warm = Math.min(50_000, messages / 5); // JIT warm-up, not counted
        pubs.publish("warm", warm, q, size);
        awaitQuietly(() -> warmCounter.received() >= warm || (q == 0 && quiet(warmCounter))); // QoS 0 may lose some

        long start = System.nanoTime();
        pubs.publish("run", messages, q, size, rate);
        long published = System.nanoTime();
        boolean complete = awaitQuietly(() -> counter.received() >= messages || (q == 0 && quiet(counter)));
        double secs = (counter.lastNanos() - start) / 1e9;
        System.out.printf(Locale.ROOT, "| forward | %d | %d | %.2f | %,.0f | %,.0f | %d | %d | %s |%n", messages, q, secs,
            counter.received() / secs, messages / ((published - start) / 1e9), counter.duplicates(), counter.gaps(), load());
        rates.add(counter.received() / secs);
        if (counter.received() < messages) {
          System.out.printf(Locale.ROOT, "  (received %d of %d%s; uplink status %s)%n", counter.received(), messages,
              q == 0 ? ": QoS 0 may drop" : "", status.last());
        }
        return complete && (q == 0 || counter.received() == messages);
      }
    }
  }

  private boolean drain() throws Exception {
    try (MosquittoProcess up = new MosquittoProcess(mosquitto)) {
      up.start();
      try (UpstreamCounter warmCounter = new UpstreamCounter(up.port(), "warm", publishers);
           UpstreamCounter counter = new UpstreamCounter(up.port(), "run", publishers);
           EstuaryNode node = new EstuaryNode(up.port(), maxInflight, backlog + 1000, storeDir());
           StatusWatcher status = new StatusWatcher(node.mqttPort, EstuaryNode.UPLINK);
           LocalPublishers pubs = new LocalPublishers(node.mqttPort, publishers)) {
        await("uplink connected", status::connected);
        long warm = Math.min(50_000, backlog / 5);
        pubs.publish("warm", warm, 1, size);
        await("warm-up upstream", () -> warmCounter.received() >= warm);

        up.stop();
        await("uplink down", status::disconnected);
        long start = System.nanoTime();
        pubs.publish("run", backlog, 1, size); // every message acknowledged by Estuary
        double publishSecs = (System.nanoTime() - start) / 1e9;
        await("backlog in the status", () -> status.backlog() >= backlog);
        System.gc();
        long heapMb = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;

        long t0 = System.nanoTime();
        up.start();
        boolean complete = awaitQuietly(() -> counter.received() >= backlog);
        double secs = (counter.lastNanos() - t0) / 1e9;
        System.out.println();
        System.out.println("| scenario | backlog | publish into buffer (s) | heap after GC (MB) | drain time (s) | msgs/s | received | duplicates | gaps |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        System.out.printf(Locale.ROOT, "| drain after outage | %d | %.1f | %d | %.1f | %,.0f | %d | %d | %d |%n", backlog, publishSecs, heapMb,
            secs, counter.received() / secs, counter.received(), counter.duplicates(), counter.gaps());
        if (!complete) {
          System.out.printf(Locale.ROOT, "  INCOMPLETE after %ds: status %s%n", timeoutSeconds, status.last());
        }
        return complete && counter.gaps() == 0;
      }
    }
  }

  private Path storeDir() throws java.io.IOException {
    return persistence ? Files.createTempDirectory("uplink-bench-store") : null;
  }

  /** True once nothing arrived for 3 s (QoS 0: what was lost stays lost). */
  private static boolean quiet(UpstreamCounter counter) {
    return counter.received() > 0 && System.nanoTime() - counter.lastNanos() > TimeUnit.SECONDS.toNanos(3);
  }

  private void await(String what, BooleanSupplier condition) throws InterruptedException {
    if (!awaitQuietly(condition)) {
      throw new IllegalStateException("timed out after " + timeoutSeconds + "s waiting for " + what);
    }
  }

  /** Polls {@code condition} every 500 ms (200 ms at first) until {@code --timeout}. */
  private boolean awaitQuietly(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    int polls = 0;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(polls++ < 10 ? 20 : 200); // a benchmark driver polling counters, bounded by the deadline
    }
    return true;
  }
}
