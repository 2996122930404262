package io.estuary.mqttsn.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.api.Payload;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rates and budgets of issue #13 on a real UDP listener, from raw clients on distinct loopback source
 * addresses (127.0.0.x): what the client receives (CONNACK 0x01, or nothing for a dropped datagram) and the
 * exact {@code mqttsn.drops{reason=<key>}} counts. Rates are per minute so no test depends on its speed.
 */
@Timeout(60)
class MqttSnRatesIT extends MqttSnGatewayFixture {
  @Test
  void connects_over_max_conn_rate_get_connack_congestion() {
    start("gateway.mqttsn.listeners.udp.default { max_conn_rate = \"2/m\", source_conn_rate = infinity }");
    try (MqttSnTestClient a = sn("127.0.0.2"); MqttSnTestClient b = sn("127.0.0.3"); MqttSnTestClient c = sn("127.0.0.4")) {
      a.connect("rate-a", 60);
      b.connect("rate-b", 60);
      c.send(new Connect(false, true, 60, "rate-c"));
      assertThat(c.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.REJECTED_CONGESTION);
      assertThat(drops("max_conn_rate")).isEqualTo(1.0);
      assertThat(gw.session("rate-c")).isNull();
    }
  }

  @Test
  void connects_over_source_conn_rate_are_refused_for_that_source_only() {
    start("gateway.mqttsn.listeners.udp.default { source_conn_rate = \"2/m\" }");
    try (MqttSnTestClient a = sn("127.0.0.2"); MqttSnTestClient b = sn("127.0.0.2"); MqttSnTestClient c = sn("127.0.0.2");
        MqttSnTestClient other = sn("127.0.0.3")) {
      a.connect("src-a", 60);
      b.connect("src-b", 60);
      c.send(new Connect(false, true, 60, "src-c"));
      assertThat(c.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.REJECTED_CONGESTION);
      other.connect("src-other", 60);
      assertThat(drops("source_conn_rate")).isEqualTo(1.0);
      assertThat(drops("max_conn_rate")).isEqualTo(0.0);
    }
  }

  @Test
  void datagrams_over_source_datagram_rate_are_dropped_unanswered_and_the_table_of_sources_is_bounded()
      throws Exception {
    start("gateway.mqttsn.listeners.udp.default { source_datagram_rate = \"3/m\", max_sources = 2 }");
    try (MqttSnTestClient a = sn("127.0.0.2"); MqttSnTestClient b = sn("127.0.0.3"); MqttSnTestClient c = sn("127.0.0.4")) {
      a.connect("dgram-a", 60);
      a.send(new PingReq(""));
      a.expect(PingResp.class);
      a.send(new PingReq(""));
      a.expect(PingResp.class);
      a.send(new PingReq("")); // the fourth datagram in the minute
      await().atMost(Duration.ofSeconds(5)).until(() -> drops("source_datagram_rate") == 1.0);
      assertThat(a.poll(Duration.ofMillis(300))).as("no PINGRESP to a datagram over the rate").isEmpty();
      b.send(new SearchGw(0)); // other sources are served
      b.expect(GwInfo.class);
      c.send(new SearchGw(0)); // a third source: b, seen once, is evicted; a, seen since, gets a second chance
      c.expect(GwInfo.class);
      assertThat(drops("source_datagram_rate")).isEqualTo(1.0);
      String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + gw.apiAddress().getPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(series(scrape, "estuary_mqttsn_sources_evicted_total\\{listener=\"udp:default\"\\}")).isEqualTo(1.0);
      assertThat(series(scrape, "estuary_mqttsn_sources\\{listener=\"udp:default\"\\}")).isEqualTo(2.0);
      a.send(new PingReq("")); // a kept its place, and its spent bucket: eviction does not reset a busy source
      await().atMost(Duration.ofSeconds(5)).until(() -> drops("source_datagram_rate") == 2.0);
      assertThat(a.poll(Duration.ofMillis(300))).isEmpty();
      b.send(new SearchGw(0)); // b is a new source again (c, seen once, makes room): a fresh bucket
      b.expect(GwInfo.class);
      String after = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + gw.apiAddress().getPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(series(after, "estuary_mqttsn_sources_evicted_total\\{listener=\"udp:default\"\\}")).isEqualTo(2.0);
    }
  }

  private static double series(String scrape, String series) {
    Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(scrape);
    assertThat(m.find()).as("series %s in%n%s", series, scrape.lines().filter(l -> l.contains("mqttsn")).toList()).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void publishes_over_messages_rate_are_dropped_without_puback() {
    start("gateway.mqttsn.messages_rate = \"2/m\"");
    try (MqttSnTestClient c = sn("127.0.0.2")) {
      c.connect("msg-rate", 60);
      for (int i = 1; i <= 2; i++) {
        c.send(new Publish(false, 1, false, new TopicRef.Short("mr"), i, Payload.utf8("m" + i)));
        assertThat(c.expect(Puback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      }
      c.send(new Publish(false, 1, false, new TopicRef.Short("mr"), 3, Payload.utf8("m3")));
      await().atMost(Duration.ofSeconds(5)).until(() -> drops("messages_rate") == 1.0);
      assertThat(c.poll(Duration.ofMillis(300))).as("no PUBACK for a PUBLISH over the rate").isEmpty();
      c.send(new PingReq("")); // the client itself is still served
      c.expect(PingResp.class);
      assertThat(drops("messages_rate")).isEqualTo(1.0);
    }
  }

  @Test
  void publishes_over_bytes_rate_are_dropped_without_puback() {
    start("gateway.mqttsn.bytes_rate = \"100/m\"");
    byte[] sixty = new byte[60 - 7]; // a PUBLISH of 60 bytes: 7 header octets + payload
    try (MqttSnTestClient c = sn("127.0.0.2")) {
      c.connect("bytes-rate", 60);
      c.send(new Publish(false, 1, false, new TopicRef.Short("br"), 1, Payload.copyOf(sixty)));
      assertThat(c.expect(Puback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      c.send(new Publish(false, 1, false, new TopicRef.Short("br"), 2, Payload.copyOf(sixty)));
      await().atMost(Duration.ofSeconds(5)).until(() -> drops("bytes_rate") == 1.0);
      assertThat(c.poll(Duration.ofMillis(300))).as("no PUBACK for a PUBLISH over the rate").isEmpty();
      c.send(new Publish(false, 1, false, new TopicRef.Short("br"), 3, Payload.utf8("small"))); // 12 bytes fit
      assertThat(c.expect(Puback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      assertThat(drops("bytes_rate")).isEqualTo(1.0);
    }
  }

  @Test
  void a_connect_without_keepalive_gets_min_keepalive_so_an_unanswering_session_expires() {
    start("gateway.mqttsn { min_keepalive = 1s, keepalive_multiplier = 1.5 }");
    try (MqttSnTestClient c = sn("127.0.0.2")) {
      c.connect("no-keepalive", 0);
      assertThat(gw.metrics().counter("mqttsn.keepalive.raised").count()).isEqualTo(1.0);
      await().atMost(Duration.ofSeconds(10)).until(() -> gw.session("no-keepalive") == null);
      c.send(new PingReq("")); // the gateway forgot the client
      await().atMost(Duration.ofSeconds(5)).until(() -> drops("no_session") == 1.0);
    }
  }

  @Test
  void a_keepalive_the_client_asked_for_stands_even_below_min_keepalive() {
    start("gateway.mqttsn { min_keepalive = 60s, keepalive_multiplier = 1.5 }");
    try (MqttSnTestClient brief = sn("127.0.0.2"); MqttSnTestClient none = sn("127.0.0.3")) {
      brief.connect("brief-keepalive", 1);
      brief.send(new PingReq("")); // past the half-open stage: only the keepalive can end it now
      brief.expect(PingResp.class);
      none.connect("no-keepalive", 0);
      none.send(new PingReq(""));
      none.expect(PingResp.class);
      // lost 1.5 s after its last datagram, as it asked; raised to 60 s it would live 90 s
      await().atMost(Duration.ofSeconds(10)).until(() -> gw.session("brief-keepalive") == null);
      assertThat(gw.session("no-keepalive")).as("keepalive 0 got min_keepalive, 60 s").isNotNull();
      assertThat(gw.metrics().counter("mqttsn.keepalive.raised").count()).isEqualTo(1.0);
    }
  }

  @Test
  void a_subscribe_over_a_broker_subscription_cap_gets_suback_congestion() {
    start("mqtt.max_subscriptions = 1");
    try (MqttSnTestClient c = sn("127.0.0.2")) {
      c.connect("sub-cap", 60);
      c.send(new Subscribe(false, 0, 1, new TopicRef.Short("s1")));
      assertThat(c.expect(Suback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      c.send(new Subscribe(false, 0, 2, new TopicRef.Short("s2")));
      assertThat(c.expect(Suback.class).returnCode()).as("a cap: try later").isEqualTo(ReturnCode.REJECTED_CONGESTION);
    }
  }

  @Test
  void a_client_not_heard_gets_at_most_max_unanswered_bytes_of_qos0_until_it_sends_again() {
    start("gateway.mqttsn.max_unanswered_bytes = 100");
    byte[] payload = new byte[50 - 7]; // each delivery is a 50-byte PUBLISH
    try (MqttSnTestClient sub = sn("127.0.0.2"); MqttSnTestClient pub = sn("127.0.0.3")) {
      sub.connect("silent-sub", 60);
      sub.send(new Subscribe(false, 0, 1, new TopicRef.Short("qz")));
      assertThat(sub.expect(Suback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      pub.connect("loud-pub", 60);
      for (int i = 0; i < 3; i++) {
        pub.send(new Publish(false, 0, false, new TopicRef.Short("qz"), 0, Payload.copyOf(payload)));
      }
      sub.expect(Publish.class);
      sub.expect(Publish.class);
      await().atMost(Duration.ofSeconds(5)).until(() -> drops("max_unanswered_bytes") == 1.0);
      assertThat(sub.poll(Duration.ofMillis(300))).as("the third delivery is over the budget").isEmpty();
      sub.send(new PingReq("")); // heard again: the budget refills
      sub.expect(PingResp.class);
      pub.send(new Publish(false, 0, false, new TopicRef.Short("qz"), 0, Payload.copyOf(payload)));
      assertThat(sub.expect(Publish.class).data().size()).isEqualTo(payload.length);
      assertThat(drops("max_unanswered_bytes")).isEqualTo(1.0);
    }
  }

  @Test
  void qos0_deliveries_waiting_for_a_regack_are_held_up_to_max_mqueue_len() {
    start("gateway.mqttsn.max_mqueue_len = 2");
    try (MqttSnTestClient sub = sn("127.0.0.2"); MqttSnTestClient pub = sn("127.0.0.3")) {
      sub.connect("slow-regack", 60);
      sub.send(new Subscribe(false, 0, 1, new TopicRef.Name("mq/#")));
      assertThat(sub.expect(Suback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      pub.connect("mq-pub", 60);
      pub.send(new Register(0, 1, "mq/t"));
      int id = pub.expect(Regack.class).topicId();
      for (int i = 0; i < 5; i++) {
        pub.send(new Publish(false, 0, false, new TopicRef.Id(id), 0, Payload.utf8("q" + i)));
      }
      Register register = sub.expect(Register.class); // the client does not answer yet: deliveries wait
      await().atMost(Duration.ofSeconds(5)).until(() -> drops("max_mqueue_len") == 3.0);
      sub.send(new Regack(register.topicId(), register.msgId(), ReturnCode.ACCEPTED));
      assertThat(sub.expect(Publish.class).data()).isEqualTo(Payload.utf8("q0"));
      assertThat(sub.expect(Publish.class).data()).isEqualTo(Payload.utf8("q1"));
      assertThat(sub.poll(Duration.ofMillis(300))).isEmpty();
      assertThat(drops("max_mqueue_len")).isEqualTo(3.0);
    }
  }

  @Test
  void answers_to_unknown_sources_beyond_unknown_answer_rate_are_counted_and_not_sent() {
    start("gateway.mqttsn.listeners.udp.default { max_conn_rate = \"1/m\", source_conn_rate = infinity,"
        + " unknown_answer_rate = \"2/m\" }");
    try (MqttSnTestClient a = sn("127.0.0.2"); MqttSnTestClient b = sn("127.0.0.3"); MqttSnTestClient c = sn("127.0.0.4");
        MqttSnTestClient d = sn("127.0.0.5")) {
      a.connect("ans-a", 60); // uses up max_conn_rate
      b.send(new Connect(false, true, 60, "ans-b"));
      assertThat(b.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.REJECTED_CONGESTION);
      c.send(new SearchGw(0)); // GWINFO to an unknown source spends the same budget
      assertThat(c.expect(GwInfo.class)).isNotNull();
      d.send(new Connect(false, true, 60, "ans-d")); // refused, but the budget is spent: no CONNACK
      await().atMost(Duration.ofSeconds(5)).until(() -> drops("unknown_answer_rate") == 1.0);
      assertThat(d.poll(Duration.ofMillis(300))).isEmpty();
      assertThat(drops("max_conn_rate")).isEqualTo(2.0);
      a.send(new PingReq("")); // a client with a channel is answered as always
      a.expect(PingResp.class);
    }
  }
}
