package io.estuary.bench.coap;

import io.estuary.cf.CfSettings;
import io.estuary.cf.Deduplicator;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.elements.config.Configuration;

/**
 * CoAP publish requests/s: Estuary's CoAP gateway (each publish reaches an MQTT subscriber) against a
 * bare Californium server answering 2.04, NON and CON, same JVM, same run, 127.0.0.1 only; plus the
 * heap in use after each run (after GC, server still up) to show that duplicate detection stays bounded.
 *
 * <pre>
 * java -cp ... io.estuary.bench.coap.CoapCompare [--duration 15s] [--warmup 3s] [--clients 32] [--window 4]
 *     [--size 32] [--types non,con] [--servers bare,estuary] [--dedup peers_mark_and_sweep]
 *     [--contrast-dedup mark_and_sweep|none] [--request-timeout 1s] [--rounds 1]
 * </pre>
 *
 * Prints one {@code RESULT} line per case, then a markdown table; with several rounds (bare and Estuary
 * alternate, so a noisy neighbour hits both) the table shows each case's median round.
 */
public final class CoapCompare {
  private CoapCompare() {}

  /** One measured case. */
  record Row(String type, String server, CoapLoad.Counts counts, double heapBeforeMib, double heapAfterMib) {}

  public static void main(String[] args) throws Exception {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "coap-bench-logback.xml");
    }
    Map<String, String> o = options(args);
    Duration duration = duration(o.getOrDefault("duration", "15s"));
    Duration warmup = duration(o.getOrDefault("warmup", "3s"));
    Duration requestTimeout = duration(o.getOrDefault("request-timeout", "1s"));
    int clients = Integer.parseInt(o.getOrDefault("clients", "32"));
    int window = Integer.parseInt(o.getOrDefault("window", "4"));
    int size = Integer.parseInt(o.getOrDefault("size", "32"));
    int rounds = Integer.parseInt(o.getOrDefault("rounds", "1"));
    List<String> types = List.of(o.getOrDefault("types", "non,con").split(","));
    List<String> servers = List.of(o.getOrDefault("servers", "bare,estuary").split(","));
    String dedup = o.getOrDefault("dedup", "peers_mark_and_sweep");
    String contrast = o.get("contrast-dedup");
    if (Deduplicator.parse(dedup) == null || (contrast != null && Deduplicator.parse(contrast) == null)) {
      throw new IllegalArgumentException("dedup: peers_mark_and_sweep | mark_and_sweep | crop_rotation | none");
    }

    // both servers run the same Californium settings; the load clients get their own copy
    CfSettings serverSettings = CfSettings.DEFAULTS;
    Configuration clientConfig = CfSettings.DEFAULTS.toConfiguration();
    List<Row> rows = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
    for (String t : types) {
      Type type = Type.valueOf(t.trim().toUpperCase(Locale.ROOT));
      List<String[]> cases = new ArrayList<>();
      for (String s : servers) {
        cases.add(new String[] {s.trim(), dedup});
      }
      if (contrast != null) {
        cases.add(new String[] {"estuary", contrast});
      }
      for (String[] c : cases) {
        String server = c[0];
        double before = heapMib();
        String label = server.equals("estuary") ? "estuary (" + c[1] + ")" : "bare californium";
        try (CoapTargets.Target target = server.equals("bare")
            ? CoapTargets.bare(serverSettings)
            : CoapTargets.estuary(List.of("californium.deduplicator = " + c[1]))) {
          CoapLoad load = new CoapLoad(target.address(), type, clients, window, size, clientConfig);
          CoapLoad.Counts counts = load.run(warmup, duration, requestTimeout, () -> Math.max(0, target.mqttReceived()));
          if (target.mqttReceived() < 0) {
            counts = new CoapLoad.Counts(counts.ok(), counts.failed(), counts.timedOut(), -1, counts.seconds());
          }
          double after = heapMib(); // load endpoints gone, server and its exchange store still up
          Row row = new Row(type.name(), label, counts, before, after);
          rows.add(row);
          System.out.println(result(row, clients, window, size));
        }
      }
    }
    }
    System.out.println();
    System.out.println(table(rows, clients, window, size, duration));
    System.exit(0);
  }

  private static String result(Row r, int clients, int window, int size) {
    CoapLoad.Counts c = r.counts();
    return String.format(Locale.ROOT,
        "RESULT type=%s server=\"%s\" clients=%d window=%d size=%d seconds=%.3f ok=%d failed=%d timed_out=%d "
            + "req_s=%.0f mqtt_received=%d mqtt_msgs_s=%.0f heap_before_mib=%.1f heap_after_mib=%.1f",
        r.type(), r.server(), clients, window, size, c.seconds(), c.ok(), c.failed(), c.timedOut(), c.rate(),
        c.mqttReceived(), c.mqttReceived() < 0 ? -1.0 : c.mqttReceived() / c.seconds(), r.heapBeforeMib(),
        r.heapAfterMib());
  }

  static String table(List<Row> rows, int clients, int window, int size, Duration duration) {
    // one line per (type, server): its median round by requests/s
    Map<String, List<Row>> cases = new LinkedHashMap<>();
    rows.forEach(r -> cases.computeIfAbsent(r.type() + "|" + r.server(), k -> new ArrayList<>()).add(r));
    List<Row> median = new ArrayList<>();
    cases.values().forEach(list -> {
      List<Row> sorted = new ArrayList<>(list);
      sorted.sort(java.util.Comparator.comparingDouble(r -> r.counts().rate()));
      median.add(sorted.get(sorted.size() / 2));
    });
    int rounds = cases.values().iterator().next().size();
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "CoAP publish, %d clients × %d outstanding, %d-byte payload, %ds per case%s%n%n",
        clients, window, size, duration.toSeconds(), rounds > 1 ? ", median of " + rounds + " rounds" : ""));
    b.append("| type | server | requests/s | MQTT msgs/s | vs bare | failed | NON lost | heap after run (MiB) |\n");
    b.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (Row r : median) {
      double bare = median.stream().filter(x -> x.type().equals(r.type()) && x.server().startsWith("bare"))
          .mapToDouble(x -> x.counts().rate()).findFirst().orElse(Double.NaN);
      CoapLoad.Counts c = r.counts();
      b.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %s | %s | %d | %d | %.0f |%n", r.type(), r.server(),
          c.rate(), c.mqttReceived() < 0 ? "–" : String.format(Locale.ROOT, "%,.0f", c.mqttReceived() / c.seconds()),
          Double.isNaN(bare) ? "–" : String.format(Locale.ROOT, "%.0f %%", 100 * c.rate() / bare), c.failed(),
          c.timedOut(), r.heapAfterMib()));
    }
    return b.toString();
  }

  /** Heap in use after a full collection, MiB. */
  static double heapMib() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
  }

  static Duration duration(String s) {
    String v = s.trim();
    if (v.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
    }
    if (v.endsWith("s")) {
      return Duration.ofMillis((long) (Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
    }
    if (v.endsWith("m")) {
      return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
    }
    return Duration.ofSeconds(Long.parseLong(v));
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --option value pairs, got " + String.join(" ", args));
      }
      o.put(args[i].substring(2), args[++i]);
    }
    return o;
  }
}
