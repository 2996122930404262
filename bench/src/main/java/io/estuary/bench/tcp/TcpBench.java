package io.estuary.bench.tcp;

import io.estuary.bench.InProcessGateway;
import io.estuary.core.server.Gateway;
import io.estuary.tcp.TcpAdapterFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The TCP gateway against the MQTT path, in one run of one in-process Estuary (in-memory store, 127.0.0.1): {@code
 * --clients} raw TCP devices speaking EMQX's framing send {@code --size}-byte DATATRANS frames (published on
 * {@code tcp/<id>/up} at QoS 0) to one MQTT subscriber on {@code tcp/+/up}; then the same number of MQTT 3.1.1
 * clients publish the same payloads at QoS 0 on {@code mq/<id>/up} to one subscriber on {@code mq/+/up}. Both loads
 * keep the same end-to-end window. After one unmeasured round of both, the cases alternate (and swap order) for
 * {@code --rounds} rounds; the ratios compare the two paths within each round, and their median is the result.
 * Prints RESULT lines and a markdown table on stdout.
 */
public final class TcpBench {
  private TcpBench() {}

  private record Run(double rate, double p50, double p99) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>(Map.of("clients", "100", "threads", "2", "window", "1000", "size", "64",
        "duration", "20s", "warmup", "5s", "rounds", "2"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--") || !o.containsKey(args[i].substring(2))) {
        throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + o.keySet());
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    System.out.println("tcp-bench options " + o + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
    Gateway gw = InProcessGateway.start(InProcessGateway.base("tcp-bench") + """
        persistence.enabled = false
        gateway.tcp.listeners.tcp.default.bind = "127.0.0.1:0"
        gateway.tcp.listeners.ssl.default.enable = false
        """, List.of(new TcpAdapterFactory()));
    List<String> rows = new ArrayList<>();
    Map<DeviceLoad.Kind, List<Run>> runs = new LinkedHashMap<>();
    try {
      InetSocketAddress mqtt = InProcessGateway.address(gw, "mqtt", "tcp:default");
      InetSocketAddress tcp = InProcessGateway.address(gw, "tcp", "tcp:default");
      int rounds = Integer.parseInt(o.get("rounds"));
      // one unmeasured round of both paths first: JIT and pools warm for both, not only for whichever runs second
      for (DeviceLoad.Kind kind : DeviceLoad.Kind.values()) {
        run(kind, kind == DeviceLoad.Kind.TCP ? tcp : mqtt, mqtt, o);
      }
      for (int r = 1; r <= rounds; r++) {
        // alternate which path goes first, so neither always runs on a machine the other just heated
        List<DeviceLoad.Kind> order = r % 2 == 1 ? List.of(DeviceLoad.Kind.TCP, DeviceLoad.Kind.MQTT)
            : List.of(DeviceLoad.Kind.MQTT, DeviceLoad.Kind.TCP);
        for (DeviceLoad.Kind kind : order) {
          Run run = run(kind, kind == DeviceLoad.Kind.TCP ? tcp : mqtt, mqtt, o);
          runs.computeIfAbsent(kind, k -> new ArrayList<>()).add(run);
          String path = kind == DeviceLoad.Kind.TCP ? "TCP devices (EMQX framing) → MQTT subscriber" : "MQTT QoS 0 publishers → MQTT subscriber";
          String row = String.format("| %d | %s | %,.0f | %.2f | %.2f |", r, path, run.rate, run.p50, run.p99);
          System.out.println("RESULT " + row);
          rows.add(row);
        }
      }
    } finally {
      gw.close();
    }
    List<Run> t = runs.get(DeviceLoad.Kind.TCP);
    List<Run> m = runs.get(DeviceLoad.Kind.MQTT);
    List<Double> rateRatios = new ArrayList<>();
    List<Double> p99Ratios = new ArrayList<>();
    for (int i = 0; i < t.size(); i++) {
      rateRatios.add(t.get(i).rate / m.get(i).rate);
      p99Ratios.add(t.get(i).p99 / m.get(i).p99);
    }
    System.out.println();
    System.out.printf("%d clients, %d-byte payload, window %s, %s per case after %s warm-up%n", Integer.parseInt(o.get("clients")),
        Integer.parseInt(o.get("size")), o.get("window"), o.get("duration"), o.get("warmup"));
    System.out.println("| round | path | msgs/s | p50 ms | p99 ms |");
    System.out.println("|---|---|---|---|---|");
    rows.forEach(System.out::println);
    System.out.printf("%nRESULT ratio TCP/MQTT per round: throughput %s (median %.2f), p99 %s (median %.2f)%n",
        format(rateRatios), median(rateRatios), format(p99Ratios), median(p99Ratios));
  }

  private static String format(List<Double> xs) {
    return xs.stream().map(x -> String.format("%.2f", x)).toList().toString();
  }

  private static double median(List<Double> xs) {
    List<Double> s = xs.stream().sorted().toList();
    return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
  }

  private static Run run(DeviceLoad.Kind kind, InetSocketAddress devicesAt, InetSocketAddress mqtt, Map<String, String> o)
      throws Exception {
    String filter = kind == DeviceLoad.Kind.TCP ? "tcp/+/up" : "mq/+/up";
    try (Subscriber sub = new Subscriber(mqtt, filter);
        DeviceLoad load = new DeviceLoad(kind, devicesAt, Integer.parseInt(o.get("clients")), Integer.parseInt(o.get("threads")),
            Integer.parseInt(o.get("window")), Integer.parseInt(o.get("size")), sub::received)) {
      Thread.sleep(duration(o.get("warmup")).toMillis()); // the run's clock, not synchronisation
      long r0 = sub.received();
      sub.latencyInterval();
      long t0 = System.nanoTime();
      Thread.sleep(duration(o.get("duration")).toMillis());
      long r1 = sub.received();
      long t1 = System.nanoTime();
      Histogram h = sub.latencyInterval();
      return new Run((r1 - r0) / ((t1 - t0) / 1e9), h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6);
    }
  }

  private static Duration duration(String s) {
    String v = s.trim();
    if (v.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
    }
    return Duration.ofSeconds(Long.parseLong(v.endsWith("s") ? v.substring(0, v.length() - 1) : v));
  }
}
