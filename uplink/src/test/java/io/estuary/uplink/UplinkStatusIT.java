package io.estuary.uplink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.testkit.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The status topic and gauges report the buffer's backlog, refreshed while it exists; catch-up ends when it drains. */
@Timeout(120)
class UplinkStatusIT {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final String STATUS = "$SYS/brokers/a@127.0.0.1/uplink/cloud/status";

  @Test
  void reports_the_backlog_while_down_refreshes_it_and_ends_catch_up_once_drained_without_new_traffic() throws Exception {
    int n = 50;
    try (Mosquitto up = Mosquitto.launchPersistent();
         Clients.Recorder spy = Clients.connectPersistent(up.port(), "spy").subscribe("site1/#", 1);
         TestGateway gw = UplinkMosquittoIT.gateway("a@127.0.0.1", up.port(), """
             status_interval = 200ms
             catchup_rate = 2000
             forwards = [{ filter = "devices/#", remote_topic = "site1/${topic}", qos = 1 }]
             """);
         Clients.Recorder device = Clients.connect(gw.mqttPort());
         Clients.Recorder watcher = Clients.connect(gw.mqttPort()).subscribe(STATUS, 0)) {
      UplinkMosquittoIT.awaitConnected(gw);
      up.stop();
      await("uplink down").atMost(DEADLINE).until(() -> UplinkMosquittoIT.status(gw).contains("\"connected\":false"));
      for (int i = 0; i < n; i++) {
        device.publish("devices/seq", Integer.toString(i), 1);
      }

      await("backlog in the status").atMost(DEADLINE).until(() -> UplinkMosquittoIT.status(gw).contains("\"backlog\":" + n));
      // no up/down transition happens now: only the periodic refresh publishes more statuses
      await("periodic refresh").atMost(DEADLINE).until(() -> watcher.payloads(STATUS).stream()
          .filter(s -> s.contains("\"backlog\":" + n) && s.contains("\"connected\":false")).count() >= 3);
      assertThat(metric(gw, "estuary_uplink_backlog")).isEqualTo(n);

      up.start();
      await("all forwarded").atMost(DEADLINE).until(() -> spy.payloads("site1/devices/seq").stream().distinct().count() == n);
      // no live traffic after the reconnect: catch-up must still end, from the empty queue
      await("catch-up over").atMost(DEADLINE).until(() -> UplinkMosquittoIT.status(gw).contains("\"catching_up\":false")
          && UplinkMosquittoIT.status(gw).contains("\"connected\":true"));
      assertThat(UplinkMosquittoIT.status(gw)).contains("\"backlog\":0");
      await("drained status published").atMost(DEADLINE).untilAsserted(() -> {
        List<String> seen = watcher.payloads(STATUS);
        assertThat(seen.get(seen.size() - 1)).contains("\"connected\":true", "\"backlog\":0", "\"catching_up\":false");
      });
      assertThat(metric(gw, "estuary_uplink_backlog")).isZero();
      assertThat(metric(gw, "estuary_uplink_catching_up")).isZero();
    }
  }

  @Test
  void a_burst_of_qos0_messages_drains_completely_after_the_publisher_stops() throws Exception {
    int n = 20_000;
    try (Mosquitto up = Mosquitto.launch();
         TestGateway gw = UplinkMosquittoIT.gateway("a@127.0.0.1", up.port(), """
             status_interval = 1h
             buffer.max_messages = 100000
             forwards = [{ filter = "devices/#", remote_topic = "site1/${topic}", qos = "${qos}" }]
             """);
         Clients.Recorder device = Clients.connect(gw.mqttPort())) {
      UplinkMosquittoIT.awaitConnected(gw);
      var async = device.client.toAsync();
      java.util.concurrent.CompletableFuture<?>[] sent = new java.util.concurrent.CompletableFuture<?>[n];
      for (int i = 0; i < n; i++) {
        sent[i] = async.publishWith().topic("devices/burst").qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_MOST_ONCE)
            .payload(Integer.toString(i).getBytes(java.nio.charset.StandardCharsets.UTF_8)).send();
      }
      java.util.concurrent.CompletableFuture.allOf(sent).join();
      // QoS 0 forwards are never acknowledged to the broker: only the uplink can restart a stopped
      // drain, and (status_interval = 1h) not through the periodic safety net
      await("the buffer drains").atMost(DEADLINE).untilAsserted(() -> assertThat(UplinkMosquittoIT.status(gw))
          .contains("\"backlog\":0", "\"inflight\":0"));
      assertThat(metric(gw, "estuary_uplink_forwarded_total")).isEqualTo(n);
    }
  }

  /** A gauge of this uplink from the Prometheus endpoint. */
  private static long metric(TestGateway gw, String name) throws Exception {
    var a = gw.apiAddress();
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.body().lines().filter(l -> l.startsWith(name + "{") && l.contains("uplink=\"cloud\""))
        .map(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
        .orElseThrow(() -> new AssertionError(name + " not in /metrics"));
  }
}
