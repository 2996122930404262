package io.estuary.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.testkit.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The publish → deliver latency histogram, per subscriber protocol, as Prometheus scrapes it. */
@Timeout(120)
class DeliveryLatencyMetricsIT {

  @Test
  void every_message_delivered_to_an_mqtt_subscriber_is_counted_in_the_mqtt_latency_histogram_with_buckets() throws Exception {
    try (TestGateway gw = TestGateway.builder().start()) {
      Mqtt5BlockingClient sub = client(gw, "latency-sub");
      Mqtt5BlockingClient pub = client(gw, "latency-pub");
      try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
        sub.subscribeWith().topicFilter("lat/#").qos(MqttQos.AT_LEAST_ONCE).send();
        for (int i = 0; i < 5; i++) {
          pub.publishWith().topic("lat/" + i).qos(MqttQos.AT_LEAST_ONCE).payload(("m" + i).getBytes(StandardCharsets.UTF_8)).send();
        }
        for (int i = 0; i < 5; i++) {
          Mqtt5Publish p = in.receive(10, TimeUnit.SECONDS).orElseThrow();
          assertThat(p.getTopic().toString()).isEqualTo("lat/" + i);
        }
      }
      // a retained message sent on subscribe says nothing about the broker's latency: not counted
      pub.publishWith().topic("kept/1").retain(true).qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {1}).send();
      Mqtt5BlockingClient late = client(gw, "latency-late");
      try (Mqtt5BlockingClient.Mqtt5Publishes in = late.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
        late.subscribeWith().topicFilter("kept/#").send();
        assertThat(in.receive(10, TimeUnit.SECONDS)).isPresent();
      }
      String scrape = scrape(gw);
      assertThat(scrape).contains("# HELP estuary_delivery_latency_seconds ");
      assertThat(value(scrape, "estuary_delivery_latency_seconds_count\\{protocol=\"mqtt\"\\}")).isEqualTo(5.0);
      assertThat(value(scrape, "estuary_delivery_latency_seconds_bucket\\{protocol=\"mqtt\",le=\"\\+Inf\"\\}")).isEqualTo(5.0);
      assertThat(value(scrape, "estuary_delivery_latency_seconds_sum\\{protocol=\"mqtt\"\\}")).isBetween(0.0, 5 * 10.0);
      assertThat(Pattern.compile("estuary_delivery_latency_seconds_bucket\\{protocol=\"mqtt\",le=\"[0-9.E-]+\"\\}")
          .matcher(scrape).results().count()).as("finite buckets for histogram_quantile").isGreaterThan(10);
      sub.disconnect();
      pub.disconnect();
      late.disconnect();
    }
  }

  private static Mqtt5BlockingClient client(TestGateway gw, String id) {
    Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort())
        .buildBlocking();
    c.connect();
    return c;
  }

  private static String scrape(TestGateway gw) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.apiAddress().getPort()
        + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static double value(String scrape, String series) {
    Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(scrape);
    assertThat(m.find()).as("series %s in%n%s", series, scrape.lines().filter(l -> l.contains("latency")).toList()).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
