package io.estuary.bench.flood;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Watches the gateway process: whether its pid is alive, its RSS (/proc), and from its Prometheus endpoint
 * ({@code /metrics}, open without an API key by default) the heap in use (sum of {@code jvm_memory_used_bytes}
 * over the heap pools), the live data after the last major GC ({@code jvm_gc_live_data_size_bytes}), and the
 * broker's {@code estuary_sessions_count} / {@code estuary_connections_count}. {@link #sample} is called by
 * the probe thread and the main thread, one at a time (synchronized); the maxima are volatile for readers.
 */
final class GatewayProbe {
  /** One scrape; -1 where the value was not there. */
  record Sample(long heapUsed, long liveAfterGc, long sessions, long connections, double startTime,
      Map<String, Long> dropped) {}

  private final long pid;
  private final URI metrics;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  volatile long maxHeapUsed = -1;
  volatile long maxLiveAfterGc = -1;
  volatile long maxRss = -1;
  volatile long maxSessions = -1;
  volatile long maxConnections = -1;
  volatile long heapMax = -1;
  volatile long scrapes;
  volatile long failedScrapes;
  volatile double firstStartTime = Double.NaN;
  volatile boolean restarted;
  volatile boolean died;
  volatile Sample firstSample;
  volatile Sample lastSample;

  GatewayProbe(long pid, URI metrics) {
    this.pid = pid;
    this.metrics = metrics;
  }

  boolean alive() {
    if (pid <= 0) {
      return true; // not told: assume so, the scrapes will say otherwise
    }
    boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    if (!alive) {
      died = true;
    }
    return alive;
  }

  /** Samples once; empty when /metrics did not answer. */
  synchronized Optional<Sample> sample() {
    if (alive()) {
      rss().ifPresent(r -> maxRss = Math.max(maxRss, r));
    }
    scrapes++;
    String text;
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(3)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        failedScrapes++;
        return Optional.empty();
      }
      text = r.body();
    } catch (IOException e) {
      failedScrapes++;
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
    Sample s = parse(text);
    if (firstSample == null) {
      firstSample = s;
    }
    lastSample = s;
    if (s.heapUsed() >= 0) {
      maxHeapUsed = Math.max(maxHeapUsed, s.heapUsed());
    }
    if (s.liveAfterGc() > 0) { // 0 until the first collection of the old generation
      maxLiveAfterGc = Math.max(maxLiveAfterGc, s.liveAfterGc());
    }
    maxSessions = Math.max(maxSessions, s.sessions());
    maxConnections = Math.max(maxConnections, s.connections());
    long max = sumHeap(text, "jvm_memory_max_bytes");
    if (max > 0) {
      heapMax = max;
    }
    if (!Double.isNaN(s.startTime())) {
      if (Double.isNaN(firstStartTime)) {
        firstStartTime = s.startTime();
      } else if (Math.abs(s.startTime() - firstStartTime) > 1) {
        restarted = true;
      }
    }
    return Optional.of(s);
  }

  static Sample parse(String text) {
    return new Sample(sumHeap(text, "jvm_memory_used_bytes"), (long) value(text, "jvm_gc_live_data_size_bytes"),
        (long) value(text, "estuary_sessions_count"), (long) value(text, "estuary_connections_count"),
        valueOrNaN(text, "process_start_time_seconds"), dropped(text));
  }

  /** {@code estuary_messages_dropped_total} by its reason tag (summed over other tags). */
  static Map<String, Long> dropped(String text) {
    Map<String, Long> m = new TreeMap<>();
    String prefix = "estuary_messages_dropped_total{";
    for (String line : text.split("\n")) {
      int at = line.indexOf("reason=\"");
      if (line.startsWith(prefix) && at > 0) {
        String reason = line.substring(at + 8, line.indexOf('"', at + 8));
        m.merge(reason, (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Long::sum);
      }
    }
    return m;
  }

  /** Sum of {@code name{area="heap",...}} samples (pools whose value is -1, "undefined", left out). */
  static long sumHeap(String text, String name) {
    long sum = -1;
    for (String line : text.split("\n")) {
      if (line.startsWith(name + "{") && line.contains("area=\"heap\"")) {
        double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        if (v >= 0) {
          sum = Math.max(sum, 0) + (long) v;
        }
      }
    }
    return sum;
  }

  private static double value(String text, String name) {
    double v = valueOrNaN(text, name);
    return Double.isNaN(v) ? -1 : v;
  }

  private static double valueOrNaN(String text, String name) {
    for (String line : text.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return Double.NaN;
  }

  /**
   * The MQTT-SN sessions whose client id starts with {@code prefix}, counted by the keepalive the gateway
   * granted them (seconds; "?" where the listing has none), from {@code GET /api/v5/gateways/mqttsn/clients}
   * (HTTP Basic with {@code key:secret}), page by page; empty when the API did not answer.
   */
  Optional<Map<String, Integer>> mqttsnKeepalives(URI api, String keySecret, String prefix) {
    Map<String, Integer> byKeepalive = new TreeMap<>();
    String auth = "Basic " + Base64.getEncoder().encodeToString(keySecret.getBytes(StandardCharsets.UTF_8));
    ObjectMapper json = new ObjectMapper();
    try {
      for (int page = 1; ; page++) {
        URI uri = api.resolve("/api/v5/gateways/mqttsn/clients?like_clientid=" + prefix + "&limit=10000&page=" + page);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Authorization", auth)
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          return Optional.empty();
        }
        JsonNode body = json.readTree(r.body());
        for (JsonNode c : body.path("data")) {
          if (c.path("clientid").asText().startsWith(prefix)) {
            JsonNode k = c.path("keepalive");
            byKeepalive.merge(k.isNumber() ? Integer.toString(k.asInt()) : "?", 1, Integer::sum);
          }
        }
        if (!body.path("meta").path("hasnext").asBoolean(false)) {
          return Optional.of(byKeepalive);
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private Optional<Long> rss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Optional.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or the process is gone
    }
    return Optional.empty();
  }
}
