package io.estuary.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.estuary.testkit.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * etc/grafana-estuary.json without Grafana: the dashboard model's required fields, non-overlapping panels, and
 * every metric its queries name is one a running gateway exposes, with HELP text.
 */
@Timeout(180)
class GrafanaDashboardIT {
  private static final Pattern METRIC = Pattern.compile("\\b((?:estuary|jvm|process)_[a-z_]+)\\b");

  @Test
  void the_dashboard_is_a_valid_grafana_model_whose_queries_use_metrics_the_gateway_exposes() throws Exception {
    JsonNode d = new ObjectMapper().readTree(Path.of("../etc/grafana-estuary.json").toFile());
    assertThat(d.get("title").asText()).isNotBlank();
    assertThat(d.get("uid").asText()).matches("[a-z0-9-]{1,40}");
    assertThat(d.get("schemaVersion").asInt()).isGreaterThanOrEqualTo(30);
    assertThat(d.get("panels").size()).isGreaterThan(5);
    Set<Integer> ids = new HashSet<>();
    Set<String> used = new HashSet<>();
    boolean[][] grid = new boolean[200][24];
    for (JsonNode p : d.get("panels")) {
      assertThat(ids.add(p.get("id").asInt())).as("unique panel id %s", p.get("id")).isTrue();
      assertThat(p.get("type").asText()).isIn("timeseries", "stat", "gauge", "table");
      assertThat(p.get("title").asText()).isNotBlank();
      JsonNode g = p.get("gridPos");
      int x = g.get("x").asInt();
      int y = g.get("y").asInt();
      int w = g.get("w").asInt();
      int h = g.get("h").asInt();
      assertThat(x + w).as("panel %s fits the 24 columns", p.get("title")).isLessThanOrEqualTo(24);
      for (int r = y; r < y + h; r++) {
        for (int c = x; c < x + w; c++) {
          assertThat(grid[r][c]).as("panel %s overlaps another", p.get("title")).isFalse();
          grid[r][c] = true;
        }
      }
      assertThat(p.get("targets").size()).isPositive();
      for (JsonNode t : p.get("targets")) {
        String expr = t.get("expr").asText();
        assertThat(expr).isNotBlank();
        assertThat(expr.chars().filter(ch -> ch == '(').count()).isEqualTo(expr.chars().filter(ch -> ch == ')').count());
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
          used.add(m.group(1));
        }
      }
    }
    assertThat(used).isNotEmpty();
    try (TestGateway gw = TestGateway.builder().start()) {
      String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + gw.apiAddress().getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
      Set<String> exposed = new HashSet<>();
      Matcher help = Pattern.compile("(?m)^# HELP (\\S+) (.*)$").matcher(scrape);
      while (help.find()) {
        assertThat(help.group(2)).as("HELP text of %s", help.group(1)).isNotBlank();
        exposed.add(help.group(1));
      }
      for (String name : used) {
        String family = name.replaceAll("_(sum|count|bucket|max)$", "");
        assertThat(exposed.contains(name) || exposed.contains(family) || lazilyRegistered(name))
            .as("the gateway exposes %s", name).isTrue();
      }
    }
  }

  /** Meters registered on first use (a drop reason, an ACL denial, a refused API call, bytes per protocol, the first delivery to a protocol). */
  private static boolean lazilyRegistered(String name) {
    return Set.of("estuary_messages_dropped_total", "estuary_acl_denied_total", "estuary_api_auth_failures_total",
        "estuary_bytes_received_total", "estuary_bytes_sent_total", "jvm_gc_pause_seconds_sum",
        "estuary_delivery_latency_seconds_bucket").contains(name);
  }
}
