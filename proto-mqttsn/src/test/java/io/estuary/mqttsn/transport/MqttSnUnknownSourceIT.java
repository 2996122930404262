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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The listener's cheap path for addresses without a channel (issue #13, the flood): a datagram whose
 * message type needs a connection, or whose length header is wrong, is dropped by its header alone —
 * counted as {@code no_session} / {@code malformed} and never entered in the table of sources — while a
 * CONNECT, a SEARCHGW and a connectionless QoS -1 PUBLISH from an unknown address and everything from a
 * connected client are served as before. Each client has its own loopback source address (127.0.0.x).
 */
@Timeout(60)
class MqttSnUnknownSourceIT extends MqttSnGatewayFixture {
  @BeforeEach
  void start() {
    start("");
  }

  /** The listener's table of sources (source_datagram_rate / source_conn_rate buckets), from /metrics. */
  private double sources() throws Exception {
    String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + gw.apiAddress().getPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("(?m)^estuary_mqttsn_sources\\{listener=\"udp:default\"\\} (\\S+)$").matcher(scrape);
    assertThat(m.find()).as("the sources gauge in /metrics").isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void messages_that_need_a_connection_from_an_unknown_address_are_dropped_by_their_header_and_counted()
      throws Exception {
    try (MqttSnTestClient stranger = sn("127.0.0.5")) {
      stranger.send(new PingReq(""));
      stranger.send(new Register(0, 1, "unknown/topic"));
      stranger.send(new Publish(false, 1, false, new TopicRef.Short("ab"), 2, Payload.utf8("x")));
      stranger.send(Disconnect.plain());
      stranger.sendRaw(new byte[] {9, 0x04, 0, 1}); // a CONNECT whose length field says 9 octets
      await().atMost(Duration.ofSeconds(5)).until(() -> drops("no_session") == 4.0 && drops("malformed") == 1.0);
      assertThat(stranger.poll(Duration.ofMillis(300))).as("nothing answers a dropped datagram").isEmpty();
      assertThat(sources()).as("dropped before the table of sources: no bucket for the stranger").isEqualTo(0.0);
    }
  }

  @Test
  void a_connect_a_searchgw_and_a_qos_minus_one_publish_from_unknown_addresses_are_still_served() throws Exception {
    try (MqttSnTestClient seeker = sn("127.0.0.6"); MqttSnTestClient device = sn("127.0.0.7");
        MqttSnTestClient sensor = sn("127.0.0.8")) {
      seeker.send(new SearchGw(0));
      seeker.expect(GwInfo.class);
      device.send(new Connect(false, true, 60, "unknown-src-device"));
      assertThat(device.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      sensor.send(new Publish(false, -1, false, new TopicRef.Short("ab"), 0, Payload.utf8("q-1")));
      await().atMost(Duration.ofSeconds(5)).until(() -> sources() == 3.0);
      assertThat(drops("no_session")).isEqualTo(0.0);
      assertThat(drops("qos3_disabled")).isEqualTo(0.0);
    }
  }

  @Test
  void a_connected_client_is_served_everything_after_its_connect() {
    try (MqttSnTestClient c = sn("127.0.0.9")) {
      c.connect("unknown-src-known", 60);
      c.send(new PingReq(""));
      c.expect(PingResp.class);
      c.send(new Register(0, 1, "known/topic"));
      Regack regack = c.expect(Regack.class);
      assertThat(regack.returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      c.send(new Publish(false, 1, false, new TopicRef.Id(regack.topicId()), 2, Payload.utf8("m")));
      assertThat(c.expect(Puback.class)).isEqualTo(new Puback(regack.topicId(), 2, ReturnCode.ACCEPTED));
      c.send(Disconnect.plain());
      c.expect(Disconnect.class);
      assertThat(drops("no_session")).isEqualTo(0.0);
    }
  }
}
