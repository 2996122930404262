package io.estuary.bench.flood;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * What the run measured, printed as one markdown table, the goals met or not, and a RESULT line.
 * Filled in by the main thread (the probe thread only replaces {@link #latest}); printed whatever happened.
 */
final class Report {
  private static final long GIB = 1L << 30;
  private final Phase[] phases;
  private final GatewayProbe probe;
  private final int floodKeepAlive;
  private final long minKeepalive;
  private final double keepaliveMultiplier;
  private double leftAfter = Double.NaN;
  private Map<String, Integer> left;
  private volatile GatewayProbe.Sample latest;
  private GatewayProbe.Sample before;
  private Flood flood;
  private String floodIntervals = "–";
  private int addresses;
  private final boolean[] completed = new boolean[3];
  private double goneSeconds = Double.NaN;
  private long goneWaited;
  private long disconnects;
  private long foreign;
  private Exception failure;

  Report(Phase[] phases, GatewayProbe probe, int floodKeepAlive, long minKeepalive, double keepaliveMultiplier) {
    this.phases = phases;
    this.probe = probe;
    this.floodKeepAlive = floodKeepAlive;
    this.minKeepalive = minKeepalive;
    this.keepaliveMultiplier = keepaliveMultiplier;
  }

  /** The flood's MQTT-SN sessions still there {@code after} seconds after it stopped, by granted keepalive. */
  void floodLeft(double after, Map<String, Integer> byKeepalive) {
    leftAfter = after;
    left = byKeepalive;
  }

  void latest(GatewayProbe.Sample s) {
    latest = s;
  }

  GatewayProbe.Sample latest() {
    return latest;
  }

  void before(GatewayProbe.Sample s) {
    before = s;
  }

  GatewayProbe.Sample before() {
    return before;
  }

  /** The good clients' p99 in each 5 s of the flood, in ms (the JIT's warm-up of the flood's paths shows early). */
  void floodIntervals(java.util.List<String> p99s) {
    floodIntervals = String.join(" / ", p99s);
  }

  void flood(Flood f, int addressCount) {
    flood = f;
    addresses = addressCount;
  }

  void completed(Phase p) {
    completed[p.id] = true;
  }

  void goneAfter(double seconds, long waitedSeconds) {
    goneSeconds = seconds;
    goneWaited = waitedSeconds;
  }

  void disconnects(long fromGateway, long foreignMessages) {
    disconnects = fromGateway;
    foreign = foreignMessages;
  }

  void failure(Exception e) {
    failure = e;
  }

  void print(PrintStream out) {
    Phase base = phases[1];
    Phase fl = phases[2];
    double p99Base = base.percentileMillis(99);
    double p99Flood = fl.percentileMillis(99);
    double ratio = p99Flood / p99Base;
    boolean died = probe.died || probe.restarted;
    out.println();
    if (failure != null) {
      out.println("**The run did not complete**: " + failure);
    }
    if (died) {
      out.println("**The gateway process " + (probe.died ? "died" : "restarted") + " during the run.**");
    }
    out.println("| | no flood | flood |");
    out.println("|---|---:|---:|");
    out.println("| flood rate, datagrams/s | – | " + (flood == null ? "–" : f("%.0f", flood.rate())) + " |");
    if (flood != null) {
      out.println("| flood datagrams: CONNECT / garbage / CoAP | – | " + flood.connects.sum() + " / "
          + flood.garbage.sum() + " / " + flood.coapRequests.sum() + " |");
      if (flood.promotes.sum() > 0) {
        out.println("| flood PINGREQs right after a CONNECT (blind promotion pairs) | – | " + flood.promotes.sum() + " |");
      }
      out.println("| flood sources: addresses / sockets opened / send failures | – | " + addresses + " / "
          + flood.socketsOpened.sum() + " / " + (flood.unsent.sum() + flood.bindFailures.sum()) + " |");
    }
    row(out, "good msgs offered", base.scheduled.get(), fl.scheduled.get());
    row(out, "good msgs sent", base.sent.get(), fl.sent.get());
    row(out, "good msgs acked (PUBACK accepted)", base.acked.get(), fl.acked.get());
    row(out, "good msgs refused (PUBACK rc ≠ 0) / given up", base.refused.get() + " / " + base.abandoned.get(),
        fl.refused.get() + " / " + fl.abandoned.get());
    row(out, "retransmissions", base.retransmits.get(), fl.retransmits.get());
    row(out, "received by the subscriber", base.received.get(), fl.received.get());
    row(out, "**lost** (acked, not received)", base.lost(), fl.lost());
    row(out, "latency p50, ms", f("%.2f", base.percentileMillis(50)), f("%.2f", fl.percentileMillis(50)));
    row(out, "latency p99, ms", f("%.2f", p99Base), f("%.2f", p99Flood));
    row(out, "latency p99 in each 5 s of the flood, ms", "–", floodIntervals);
    row(out, "latency max, ms", f("%.2f", base.maxMillis()), f("%.2f", fl.maxMillis()));
    out.println("| **p99 flood / no flood** | | " + f("%.2f", ratio) + " |");
    out.println("| max heap used (sampled 1/s) / live after an old-gen GC / max heap | | " + mib(probe.maxHeapUsed)
        + " / " + (probe.maxLiveAfterGc < 0 ? "no old-gen GC" : mib(probe.maxLiveAfterGc)) + " / "
        + mib(probe.heapMax) + " |");
    out.println("| max RSS | | " + mib(probe.maxRss) + " |");
    out.println("| /metrics scrapes failed | | " + probe.failedScrapes + " of " + probe.scrapes + " |");
    out.println("| gateway died or restarted | | " + (died ? "**yes**" : "no") + " |");
    out.println("| sessions / connections before the flood | | " + (before == null ? "?" : before.sessions() + " / "
        + before.connections()) + " |");
    GatewayProbe.Sample last = latest;
    out.println("| most sessions / connections seen | | " + probe.maxSessions + " / " + probe.maxConnections + " |");
    out.println("| sessions / connections at the end | | " + (last == null ? "?" : last.sessions() + " / "
        + last.connections()) + " |");
    out.println("| flood sessions gone after the flood stopped | | " + gone() + " |");
    if (left != null) {
      out.println("| flood MQTT-SN sessions left " + f("%.0f", leftAfter) + " s after it, by granted keepalive (s) | | "
          + (left.isEmpty() ? "none" : left.toString()) + " |");
    }
    out.println("| gateway's messages dropped during the run, by reason | | " + drops() + " |");
    out.println("| DISCONNECTs received by good clients | | " + disconnects + " |");
    out.println();
    out.println("Goals (issue #13): lost 0: " + mark(completed[2] && fl.lost() == 0 && base.lost() == 0)
        + "; p99 ≤ 3× no-flood: " + mark(ratio <= 3) + "; heap ≤ 1 GiB: "
        + mark(!probe.died && probe.maxHeapUsed >= 0 && probe.maxHeapUsed <= GIB && probe.maxLiveAfterGc <= GIB)
        + "; no restart: " + mark(!died) + "; " + goneGoal());
    out.println();
    out.println(String.format(Locale.ROOT, "RESULT completed=%s died=%s flood_dgram_s=%.0f sent=%d acked=%d "
            + "received=%d lost=%d base_p99_ms=%.3f flood_p99_ms=%.3f p99_ratio=%.2f max_heap_mib=%d "
            + "max_live_mib=%d max_rss_mib=%d max_sessions=%d gone_s=%.1f foreign=%d",
        completed[2], died, flood == null ? 0.0 : flood.rate(), fl.sent.get(), fl.acked.get(), fl.received.get(),
        fl.lost(), p99Base, p99Flood, ratio, probe.maxHeapUsed >> 20, probe.maxLiveAfterGc >> 20,
        probe.maxRss >> 20, probe.maxSessions, goneSeconds, foreign));
  }

  /** estuary_messages_dropped_total{reason} from the first to the last scrape. */
  private String drops() {
    GatewayProbe.Sample a = probe.firstSample;
    GatewayProbe.Sample b = probe.lastSample;
    if (a == null || b == null) {
      return "?";
    }
    StringBuilder sb = new StringBuilder();
    b.dropped().forEach((reason, n) -> {
      long d = n - a.dropped().getOrDefault(reason, 0L);
      if (d != 0) {
        sb.append(sb.length() == 0 ? "" : ", ").append(reason).append(' ').append(d);
      }
    });
    return sb.length() == 0 ? "none" : sb.toString();
  }

  /**
   * The goal "the flood's sessions are gone within one keepalive after it stops", read as MQTT's keepalive
   * timeout (a session ends keepalive × the multiplier after its last datagram, at the latest the flood's end):
   * those whose CONNECT had a keepalive of its own gone that long after the flood; those that asked for none,
   * which the gateway gives {@code min_keepalive}, gone that long after it; both plus the timer's slack.
   */
  private String goneGoal() {
    double own = floodKeepAlive * keepaliveMultiplier + FloodBench.TIMER_SLACK_S;
    double none = Math.max(floodKeepAlive, minKeepalive) * keepaliveMultiplier + FloodBench.TIMER_SLACK_S;
    String ownLeft = left == null ? "not measured (no --api-key)"
        : mark(left.entrySet().stream().noneMatch(e -> !e.getKey().equals("?")
            && Long.parseLong(e.getKey()) <= floodKeepAlive && e.getValue() > 0))
            + " (" + (left.isEmpty() ? "none" : left.toString()) + " left)";
    return "flood sessions gone one keepalive timeout after the flood (keepalive × " + keepaliveMultiplier
        + " + " + f("%.0f", FloodBench.TIMER_SLACK_S) + " s timer): with the flood's own " + floodKeepAlive
        + " s, by " + f("%.0f", own) + " s: " + ownLeft + "; all (keepalive 0 given min_keepalive " + minKeepalive
        + " s), by " + f("%.0f", none) + " s: " + mark(goneSeconds >= 0 && goneSeconds <= none);
  }

  private String gone() {
    if (Double.isNaN(goneSeconds)) {
      return "not measured";
    }
    if (goneSeconds < 0) {
      return "**not gone** within " + goneWaited + " s";
    }
    return f("%.1f s", goneSeconds);
  }

  private static void row(PrintStream out, String name, Object a, Object b) {
    out.println("| " + name + " | " + a + " | " + b + " |");
  }

  private static String f(String format, double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "–" : String.format(Locale.ROOT, format, v);
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "?" : (bytes >> 20) + " MiB";
  }

  private static String mark(boolean ok) {
    return ok ? "met" : "**not met**";
  }
}
