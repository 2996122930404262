package io.estuary.bench.flood;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue #13's flood benchmark against a running gateway (bench/flood-bench.sh starts one): 100 good MQTT-SN
 * QoS 1 publishers → one MQTT subscriber, first alone (the baseline), then beside a flood from many loopback
 * source addresses; then how long the flood's sessions take to go. Prints a markdown table and a RESULT line;
 * whatever happens to the gateway (it may die), it prints what it measured.
 */
@Command(name = "flood-bench", mixinStandardHelpOptions = true,
    description = "MQTT-SN/CoAP flood against a running Estuary while good MQTT-SN clients publish QoS 1")
public final class FloodBench implements Callable<Integer> {
  @Option(names = "--host", defaultValue = "127.0.0.1") String host;
  @Option(names = "--mqtt-port", required = true, description = "MQTT listener (the subscriber)") int mqttPort;
  @Option(names = "--mqttsn-port", required = true) int mqttsnPort;
  @Option(names = "--coap-port", defaultValue = "0", description = "0: no CoAP in the flood") int coapPort;
  @Option(names = "--api-port", defaultValue = "0", description = "management API (GET /metrics); 0: none") int apiPort;
  @Option(names = "--pid", defaultValue = "0", description = "the gateway's pid (alive? RSS)") long pid;
  @Option(names = "--clients", defaultValue = "100") int clients;
  @Option(names = "--rate", defaultValue = "1000", description = "good msgs/s, all clients together") double rate;
  @Option(names = "--keepalive", defaultValue = "60", description = "good clients' keepalive, s") int keepAlive;
  @Option(names = "--retry", defaultValue = "10s", description = "Tretry (MQTT-SN §6.13: 10-15 s)") Duration retry;
  @Option(names = "--max-retries", defaultValue = "5", description = "Nretry (3-5)") int maxRetries;
  @Option(names = "--warmup", defaultValue = "5s") Duration warmup;
  @Option(names = "--baseline", defaultValue = "30s", description = "no-flood phase") Duration baseline;
  @Option(names = "--duration", defaultValue = "60s", description = "flood phase") Duration duration;
  @Option(names = "--flood-threads", defaultValue = "2") int floodThreads;
  @Option(names = "--flood-rate", defaultValue = "0",
      description = "picks per second over all flood threads (a promote pick is two datagrams); 0 = as fast as possible")
  double floodRate;
  @Option(names = "--background-rate", defaultValue = "0",
      description = "picks per second of the same mix during the warm-up and the no-flood phase (stopped when the flood"
          + " starts): a gateway in service has seen new clients' CONNECTs, garbage and unknown CoAP requests before a"
          + " flood comes, so the code that handles them is compiled; 0 = none (a freshly started JVM meets the flood)")
  double backgroundRate;
  @Option(names = "--background-until", defaultValue = "flood",
      description = "flood = the background runs through the warm-up and the no-flood phase; baseline = it stops when"
          + " the warm-up ends, so the no-flood phase is measured without it (a background fast enough for the JIT to"
          + " compile the flood's paths also slows the good clients while it runs)")
  String backgroundUntil;
  @Option(names = "--background-gap", defaultValue = "0s",
      description = "with --background-until baseline: the good clients go on publishing this long after the"
          + " background stops and before the no-flood phase (not measured), so that the sessions the background"
          + " opened have expired by keepalive before the no-flood p99 is taken (e.g. 95s with the defaults:"
          + " min_keepalive 60 s x 1.5 + the timer)")
  Duration backgroundGap;
  @Option(names = "--addresses", defaultValue = "65536", description = "flood source addresses (127.1.0.1 on)")
  int addresses;
  @Option(names = "--pool", defaultValue = "256", description = "open flood sockets per thread") int pool;
  @Option(names = "--per-socket", defaultValue = "4", description = "datagrams before a socket is replaced")
  int perSocket;
  @Option(names = "--mix", defaultValue = "connect=50,garbage=25,coap=25",
      description = "weights of the flood's kinds: connect, garbage, coap, promote (CONNECT + PINGREQ)") String mix;
  @Option(names = "--flood-keepalive", defaultValue = "30",
      description = "keepalive of the flood's CONNECTs that have one (the others: 0)") int floodKeepAlive;
  @Option(names = "--encapsulated", defaultValue = "0.25", description = "share of CONNECTs behind a forwarder")
  double encapsulated;
  @Option(names = "--gone-wait", defaultValue = "120s", description = "longest wait for the flood's sessions to go")
  Duration goneWait;
  @Option(names = "--seed", defaultValue = "13") long seed;
  @Option(names = "--api-key", defaultValue = "",
      description = "KEY:SECRET for the management API: the flood's MQTT-SN sessions left, by keepalive") String apiKey;
  @Option(names = "--min-keepalive", defaultValue = "60s",
      description = "the gateway's gateway.mqttsn.min_keepalive (what a CONNECT asking for none gets), for the goal")
  Duration minKeepalive;
  @Option(names = "--keepalive-multiplier", defaultValue = "1.5",
      description = "the gateway's gateway.mqttsn.keepalive_multiplier, for the goal") double keepaliveMultiplier;

  public static void main(String[] args) {
    System.exit(new CommandLine(new FloodBench()).registerConverter(Duration.class, FloodBench::duration)
        .execute(args));
  }

  /** "30s", "500ms", "2m", "1h", or an ISO-8601 duration. */
  static Duration duration(String s) {
    String t = s.trim();
    if (t.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
    }
    long n = t.length() > 1 ? parseOrMinus(t.substring(0, t.length() - 1)) : -1;
    return switch (n < 0 ? ' ' : t.charAt(t.length() - 1)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      default -> Duration.parse(t);
    };
  }

  private static long parseOrMinus(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public Integer call() throws Exception {
    if (!backgroundUntil.equals("flood") && !backgroundUntil.equals("baseline")) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--background-until: flood or baseline, not " + backgroundUntil);
    }
    if (backgroundGap.isNegative() || !backgroundGap.isZero()
        && (backgroundRate <= 0 || !backgroundUntil.equals("baseline"))) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--background-gap: not negative, and only with --background-rate > 0 and --background-until baseline");
    }
    Phase[] phases = {new Phase(0, "warm-up", clients), new Phase(1, "no flood", clients),
        new Phase(2, "flood", clients)};
    GatewayProbe probe = new GatewayProbe(pid, apiPort > 0 ? URI.create("http://" + host + ":" + apiPort + "/metrics")
        : URI.create("http://" + host + ":1/metrics"));
    Report report = new Report(phases, probe, floodKeepAlive, minKeepalive.toSeconds(), keepaliveMultiplier);
    Thread sampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        probe.sample().ifPresent(report::latest);
        try {
          Thread.sleep(1_000);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "probe");
    sampler.setDaemon(true);
    sampler.start();
    int exit = 0;
    try (GoodSubscriber sub = new GoodSubscriber(host, mqttPort, "flood-good/#", phases);
        GoodClients good = new GoodClients(new InetSocketAddress(host, mqttsnPort), clients, "flood-good", keepAlive,
            rate, retry.toNanos(), maxRetries)) {
      long drain = retry.toNanos() * (maxRetries + 1) + TimeUnit.SECONDS.toNanos(5);
      Flood background = null;
      if (backgroundRate > 0) {
        background = new Flood(new InetSocketAddress(host, mqttsnPort),
            coapPort > 0 ? new InetSocketAddress(host, coapPort) : null, Flood.Mix.parse(mix), addresses, pool,
            perSocket, floodKeepAlive, encapsulated);
        background.start(1, seed + 1000, backgroundRate);
      }
      log("%d good clients connected; warm-up %d s%s", clients, warmup.toSeconds(),
          backgroundRate > 0 ? String.format(java.util.Locale.ROOT, ", background %.0f picks/s of the flood's mix until"
              + " the %s", backgroundRate, backgroundUntil.equals("flood") ? "flood" : "no-flood phase") : "");
      publish(good, sub, probe, phases[0], warmup, drain);
      if (background != null && backgroundUntil.equals("baseline")) {
        background.close();
        log("background stopped: %.0f datagrams/s", background.rate());
        background = null;
        if (!backgroundGap.isZero()) {
          log("gap of %d s before the no-flood phase (the background's sessions expire)", backgroundGap.toSeconds());
          publish(good, sub, probe, phases[0], backgroundGap, drain);
        }
      }
      log("no-flood phase, %d s at %.0f msgs/s", baseline.toSeconds(), rate);
      publish(good, sub, probe, phases[1], baseline, drain);
      report.completed(phases[1]);
      Thread.sleep(1_500); // a scrape after the baseline settled
      report.before(report.latest());
      log("flood phase, %d s; before it: %s", duration.toSeconds(), report.latest());
      if (background != null) {
        background.close();
        log("background stopped: %.0f datagrams/s", background.rate());
      }
      Flood flood = new Flood(new InetSocketAddress(host, mqttsnPort),
          coapPort > 0 ? new InetSocketAddress(host, coapPort) : null, Flood.Mix.parse(mix), addresses, pool,
          perSocket, floodKeepAlive, encapsulated);
      report.flood(flood, addresses);
      flood.start(floodThreads, seed, floodRate);
      good.start(phases[2], duration.toNanos());
      phases[2].intervalPercentileMillis(99);
      long end = System.nanoTime() + duration.toNanos();
      List<String> p99s = new ArrayList<>();
      while (System.nanoTime() < end) {
        Thread.sleep(Math.min(5_000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
        double p99 = phases[2].intervalPercentileMillis(99);
        p99s.add(String.format(java.util.Locale.ROOT, "%.0f", p99));
        log("  flood %.0f datagrams/s, good sent %d acked %d received %d (p99 of these 5 s %.1f ms), gateway %s",
            flood.rate(), phases[2].sent.get(), phases[2].acked.get(), phases[2].received.get(), p99,
            probe.alive() ? "alive" : "DEAD");
      }
      report.floodIntervals(p99s);
      flood.close();
      long stopped = System.nanoTime();
      log("flood stopped: %.0f datagrams/s; draining the good clients", flood.rate());
      settle(good, sub, probe, phases[2], drain);
      report.completed(phases[2]);
      report.goneAfter(awaitGone(report, probe, stopped), goneWait.toSeconds());
      report.disconnects(good.disconnects(), sub.foreign());
    } catch (Exception e) {
      report.failure(e);
      exit = 1;
    } finally {
      sampler.interrupt();
      sampler.join(5_000);
      probe.alive();
      report.print(System.out);
    }
    return exit;
  }

  private void publish(GoodClients good, GoodSubscriber sub, GatewayProbe probe, Phase p, Duration d, long drain)
      throws InterruptedException {
    good.start(p, d.toNanos());
    Thread.sleep(d.toMillis() + 1);
    settle(good, sub, probe, p, drain);
  }

  private static void settle(GoodClients good, GoodSubscriber sub, GatewayProbe probe, Phase p, long drainNanos)
      throws InterruptedException {
    long deadline = System.nanoTime() + drainNanos;
    while (!good.settled() && System.nanoTime() < deadline && probe.alive()) {
      Thread.sleep(50);
    }
    if (probe.alive()) {
      sub.awaitAcked(p, 10_000);
    }
  }

  /**
   * Seconds from the flood's end until sessions and connections are back to the baseline's; -1: not in time.
   * On the way, one keepalive timeout of the flood's own keepalive (× the multiplier) plus {@link #TIMER_SLACK_S}
   * after the flood, the flood's MQTT-SN sessions still there, by granted keepalive (with {@code --api-key}).
   */
  private double awaitGone(Report report, GatewayProbe probe, long stopped) throws InterruptedException {
    Optional<GatewayProbe.Sample> before = Optional.ofNullable(report.before());
    if (before.isEmpty() || before.get().sessions() < 0) {
      return Double.NaN;
    }
    double checkAfter = floodKeepAlive * keepaliveMultiplier + TIMER_SLACK_S;
    long check = stopped + (long) (checkAfter * 1e9);
    boolean checked = apiKey.isEmpty() || apiPort <= 0;
    long deadline = stopped + goneWait.toNanos();
    while (System.nanoTime() < deadline && probe.alive()) {
      long at = System.nanoTime();
      if (!checked && at >= check) {
        checked = true;
        URI api = URI.create("http://" + host + ":" + apiPort + "/");
        probe.mqttsnKeepalives(api, apiKey, FloodFrames.CLIENT_ID_PREFIX)
            .ifPresent(left -> report.floodLeft(checkAfter, left));
      }
      Optional<GatewayProbe.Sample> s = probe.sample();
      if (s.isPresent()) {
        report.latest(s.get());
        if (s.get().sessions() <= before.get().sessions() && s.get().connections() <= before.get().connections()) {
          if (!checked) {
            report.floodLeft(checkAfter, Map.of()); // all gone before the check
          }
          return (at - stopped) / 1e9;
        }
      }
      Thread.sleep(1_000);
    }
    return -1;
  }

  /** The gateway's timer checks keepalives on its tick: a little after the exact deadline. */
  static final double TIMER_SLACK_S = 3;

  static void log(String format, Object... args) {
    System.err.println("flood-bench: " + String.format(format, args));
  }
}
