package io.estuary.bench.mqttsn;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * MQTT-SN benchmark against an in-process Estuary (127.0.0.1 only). Two parts, each optional:
 *
 * <ul>
 *   <li>{@code --mode throughput}: for each QoS in {@code --qos}, {@code --clients} MQTT-SN clients on
 *       {@code --threads} threads publish {@code --size}-byte messages to {@code bench/<n>}; one MQTT
 *       subscriber on {@code bench/#} (same QoS) receives them. Reports end-to-end msgs/s (counted at
 *       the subscriber) and latency percentiles over {@code --duration} after {@code --warmup}.
 *   <li>{@code --mode footprint}: for each fleet size in {@code --idle} (e.g. 20000,100000), connects that
 *       many idle clients ({@code --listeners} gateway listeners × sockets, see {@link IdleFleet}), then
 *       puts them all to sleep; heap used after GC is read before, after connecting and after sleeping.
 * </ul>
 *
 * Prints RESULT lines and a markdown table on stdout.
 */
public final class MqttSnBench {
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private MqttSnBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>(Map.of(
        "mode", "throughput,footprint", "qos", "0,1", "clients", "100", "threads", "2", "window", "1000",
        "qos1-window", "4", "size", "32", "duration", "20s", "warmup", "5s", "idle", "20000,100000"));
    o.put("listeners", "10");
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--") || !o.containsKey(args[i].substring(2))) {
        throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + o.keySet());
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    System.out.println("mqttsn-bench options " + o + ", JVM max heap " + MEMORY.getHeapMemoryUsage().getMax() / (1 << 20)
        + " MiB, " + Runtime.getRuntime().availableProcessors() + " CPUs");
    List<String> rows = new ArrayList<>();
    if (o.get("mode").contains("throughput")) {
      for (String q : o.get("qos").split(",")) {
        rows.add(throughput(Integer.parseInt(q.trim()), o));
      }
    }
    if (o.get("mode").contains("footprint")) {
      for (String n : o.get("idle").split(",")) {
        rows.add(footprint(Integer.parseInt(n.trim()), Integer.parseInt(o.get("listeners"))));
      }
    }
    System.out.println();
    System.out.println("| case | result |");
    System.out.println("|---|---|");
    rows.forEach(System.out::println);
  }

  private static String throughput(int qos, Map<String, String> o) throws Exception {
    int clients = Integer.parseInt(o.get("clients"));
    int window = Integer.parseInt(o.get("window"));
    int clientWindow = Integer.parseInt(o.get("qos1-window"));
    Duration warmup = duration(o.get("warmup"));
    Duration measure = duration(o.get("duration"));
    try (InProcessEstuary gw = new InProcessEstuary(1, List.of());
        MqttSubscriber sub = new MqttSubscriber(gw.mqtt, "mqttsn-bench-sub", "bench/#", qos);
        PublishLoad load = new PublishLoad(gw.udp.get(0), clients, Integer.parseInt(o.get("threads")), qos, window,
            clientWindow, Integer.parseInt(o.get("size")), sub::received)) {
      pace(load, warmup);
      long r0 = sub.received();
      long s0 = load.sent();
      long l0 = load.lost();
      sub.latencyInterval();
      long t0 = System.nanoTime();
      pace(load, measure);
      long t1 = System.nanoTime();
      long r1 = sub.received();
      long s1 = load.sent();
      Histogram h = sub.latencyInterval();
      double secs = (t1 - t0) / 1e9;
      double rate = (r1 - r0) / secs;
      String result = String.format("QoS %d: %,.0f msgs/s end to end (sent %,.0f/s, written off %d), latency p50 %.2f ms,"
              + " p99 %.2f ms, p99.9 %.2f ms, max %.1f ms; %d clients, %d threads, end-to-end window %d%s, %d-byte payload",
          qos, rate, (s1 - s0) / secs, load.lost() - l0, h.getValueAtPercentile(50) / 1e6,
          h.getValueAtPercentile(99) / 1e6, h.getValueAtPercentile(99.9) / 1e6, h.getMaxValue() / 1e6, clients,
          Integer.parseInt(o.get("threads")), window, qos == 0 ? "" : ", " + clientWindow + " awaiting PUBACK per client",
          Math.max(8, Integer.parseInt(o.get("size"))));
      System.out.println("RESULT throughput " + result);
      return "| throughput QoS " + qos + " | " + result + " |";
    }
  }

  private static void pace(PublishLoad load, Duration d) throws InterruptedException {
    long end = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < end) {
      Thread.sleep(100); // the run's clock, not synchronisation
      load.watch();
    }
  }

  private static String footprint(int clients, int listeners) throws Exception {
    int sockets = (clients + listeners - 1) / listeners;
    try (InProcessEstuary gw = new InProcessEstuary(listeners, List.of());
        IdleFleet fleet = new IdleFleet(gw.udp, sockets, 512)) {
      long base = usedAfterGc();
      long t0 = System.nanoTime();
      fleet.connectAll(3600);
      double connectSecs = (System.nanoTime() - t0) / 1e9;
      long connected = usedAfterGc();
      int listed = gw.sessions();
      t0 = System.nanoTime();
      fleet.sleepAll(3600);
      double sleepSecs = (System.nanoTime() - t0) / 1e9;
      long asleep = usedAfterGc();
      int n = fleet.size();
      String result = String.format("%,d clients (%d sockets × %d listeners, %d connected in the broker): heap after GC %,d MiB"
              + " before, %,d MiB connected, %,d MiB asleep; %,d bytes per connected client, %,d bytes per sleeping client;"
              + " connected in %.1f s (%,.0f/s), put to sleep in %.1f s",
          n, sockets, listeners, listed, base >> 20, connected >> 20, asleep >> 20, (connected - base) / n, (asleep - base) / n,
          connectSecs, n / connectSecs, sleepSecs);
      System.out.println("RESULT footprint " + result);
      return "| idle " + n + " | " + result + " |";
    }
  }

  private static long usedAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(200); // let concurrent phases and reference processing finish
      used = Math.min(used, MEMORY.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  private static Duration duration(String s) {
    String v = s.trim();
    if (v.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
    }
    if (v.endsWith("s")) {
      return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
    }
    return Duration.ofSeconds(Long.parseLong(v));
  }
}
