package io.estuary.bench;

import io.estuary.bench.mqtt.LoadConfig;
import io.estuary.bench.mqtt.RunSummary;
import io.estuary.bench.mqtt.Topology;
import io.estuary.bench.mqtt.transport.LoadRun;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The MQTT load tool: drives any MQTT 3.1.1 broker with raw Netty clients and prints msgs/s and
 * end-to-end latency. Output: a table for people, then one {@code RESULT key=value ...} line for scripts
 * (see {@link RunSummary#summaryLine()}).
 *
 * <p>Exit codes: 0 done, 1 the run failed (connect, subscribe, a client dropped), 2 bad arguments,
 * 3 done but QoS 1 messages were lost.
 */
@Command(
    name = "mqtt-load",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "MQTT 3.1.1 load generator: msgs/s and latency p50/p99/max against any broker.",
    footer = {"", "Exit codes: 0 done, 1 run failed, 2 bad arguments, 3 QoS 1 messages lost."})
public final class MqttLoad implements Callable<Integer> {

  static final int EXIT_FAILED = 1;
  static final int EXIT_QOS1_LOSS = 3;

  @Spec private CommandSpec spec;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Broker host (default: ${DEFAULT-VALUE}).")
  private String host;

  @Option(names = "--port", defaultValue = "1883", description = "Broker MQTT/TCP port (default: ${DEFAULT-VALUE}).")
  private int port;

  @Option(names = {"-p", "--publishers"}, defaultValue = "1",
      description = "Publishers, N (default: ${DEFAULT-VALUE}; fan-out: 1).")
  private int publishers;

  @Option(names = {"-s", "--subscribers"}, defaultValue = "1",
      description = "Subscribers, M (default: ${DEFAULT-VALUE}; fan-in: 1; pairs: N).")
  private int subscribers;

  @Option(names = "--qos", defaultValue = "0", description = "QoS of publishes and subscriptions, 0 or 1 (default: ${DEFAULT-VALUE}).")
  private int qos;

  @Option(names = "--size", defaultValue = "64", description = "Payload bytes, >= 20 (default: ${DEFAULT-VALUE}).")
  private int size;

  @Option(names = "--duration", defaultValue = "10s", converter = DurationConverter.class,
      description = "Measured window, e.g. 10s, 500ms, 2m (default: ${DEFAULT-VALUE}).")
  private Duration duration;

  @Option(names = "--warmup", defaultValue = "3s", converter = DurationConverter.class,
      description = "Unmeasured publishing before the window (default: ${DEFAULT-VALUE}).")
  private Duration warmup;

  @Option(names = "--topics", defaultValue = "fan-in", converter = TopologyConverter.class,
      description = "fan-in (N pub -> 1 sub on a wildcard), fan-out (1 pub -> M subs), pairs (pub i -> sub i)"
          + " (default: ${DEFAULT-VALUE}).")
  private Topology topology;

  @Option(names = "--rate", defaultValue = "0",
      description = "Total publish rate in msgs/s over all publishers; 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
  private long rate;

  @Option(names = "--inflight", defaultValue = "100",
      description = "QoS 1: unacknowledged PUBLISHes per publisher (default: ${DEFAULT-VALUE}).")
  private int inflight;

  @Option(names = "--e2e-window", defaultValue = "0",
      description = "Messages a publisher may be ahead of its slowest subscriber; 0 = no limit (default: ${DEFAULT-VALUE}).")
  private int window;

  @Option(names = "--threads", defaultValue = "1",
      description = "Client event loop threads (default: ${DEFAULT-VALUE}).")
  private int threads;

  @Option(names = "--drain", defaultValue = "5s", converter = DurationConverter.class,
      description = "Longest wait after the window for messages in flight (default: ${DEFAULT-VALUE}).")
  private Duration drain;

  @Option(names = "--sub-ack-rate", defaultValue = "0",
      description = "QoS 1: PUBACKs per second each subscriber sends at most, a slow consumer; 0 = at once (default: ${DEFAULT-VALUE}).")
  private long subAckRate;

  @Option(names = {"-q", "--quiet"}, description = "Print only the RESULT line.")
  private boolean quiet;

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "mqtt-load-logback.xml"); // quiet Netty's DEBUG
    }
    System.exit(new CommandLine(new MqttLoad()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    LoadConfig config;
    try {
      config = new LoadConfig(host, port, publishers, subscribers, qos, size, duration, warmup, topology,
          rate, inflight, window, threads, drain, subAckRate);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    RunSummary summary;
    try {
      summary = LoadRun.run(config, line -> {
        if (!quiet) {
          err.println("mqtt-load: " + line);
          err.flush();
        }
      });
    } catch (LoadRun.LoadFailure e) {
      err.println("mqtt-load: run failed: " + e.getMessage());
      err.flush();
      return EXIT_FAILED;
    }
    if (!quiet) {
      out.print(summary.table());
    }
    out.println(summary.summaryLine());
    out.flush();
    if (summary.qos1Loss()) {
      err.println("mqtt-load: " + summary.lost() + " QoS 1 messages acknowledged by the broker were never delivered");
      err.flush();
      return EXIT_QOS1_LOSS;
    }
    return 0;
  }

  /** Parses {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1h}, a bare number of seconds, or ISO-8601. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      try {
        if (v.startsWith("p") || v.startsWith("-p")) {
          return Duration.parse(value.trim());
        }
        if (v.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        if (v.endsWith("s")) {
          return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
        }
        if (v.endsWith("m")) {
          return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)) * 60);
        }
        if (v.endsWith("h")) {
          return Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
        }
        return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
      } catch (RuntimeException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (e.g. 10s, 500ms, 2m)");
      }
    }
  }

  /** Parses a topology label. */
  static final class TopologyConverter implements CommandLine.ITypeConverter<Topology> {
    @Override
    public Topology convert(String value) {
      try {
        return Topology.fromLabel(value.trim());
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
