package io.estuary.mqttsn.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import io.estuary.api.Payload;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
import io.estuary.testkit.TestGateway;
import io.estuary.testkit.TestStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The place an unproven persistent session kept offline holds among {@code max_unproven} (issue #13) is freed as soon
 * as that session is gone or in other hands — deleted through the management API, expired by the core, taken over by
 * an MQTT client, or resumed by a client that proves its address — not only when the place runs out: a new unproven
 * subscriber gets it at once (here {@code max_unproven = 1}). A plain-UDP client that resumes the session without
 * proving anything keeps the place taken (it may be the spoofer making room). Freed places are counted in
 * {@code mqttsn.unproven_offline.freed{listener,by}}; the stored copy goes with them.
 */
@Timeout(60)
class MqttSnOfflinePlacesIT extends MqttSnGatewayFixture {
  private static final String CAP = "gateway.mqttsn.listeners.udp.default.max_unproven = 1\n";
  private static final String PLACES = "mqttsn-unproven-offline";

  private double freed(String by) {
    return gw.metrics().counter("mqttsn.unproven_offline.freed", "listener", "udp:default", "by", by).count();
  }

  private double freedInAll() {
    return freed("session_ended") + freed("taken_over") + freed("proven");
  }

  /** The gauge {@code mqttsn.unproven_offline} as scraped. */
  private double placesHeld() throws Exception {
    String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + gw.apiAddress().getPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("(?m)^estuary_mqttsn_unproven_offline\\{listener=\"udp:default\"\\} (\\S+)$")
        .matcher(scrape);
    assertThat(m.find()).as("the gauge is exposed").isTrue();
    return Double.parseDouble(m.group(1));
  }

  private Set<String> storedPlaces() {
    return gw.storedKeyValues(PLACES).scan("udp:default|").keySet();
  }

  private int delete(String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gw.apiAddress().getPort() + path))
            .header("Authorization", TestGateway.apiAuthorization()).DELETE().build(),
        HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private static void connectPersistent(MqttSnTestClient c, String clientId) {
    connectPersistent(c, clientId, 60);
  }

  /** What a real unproven subscriber and a blind spoofer both do: CONNECT clean = 0, SUBSCRIBE, plain DISCONNECT. */
  private void subscribeAndLeave(String clientId) {
    subscribeAndLeave(clientId, 60, "places/" + clientId + "/#");
  }

  /** {@code clientId} left a session offline that holds the listener's one place. */
  private void holdsThePlace(String clientId) throws Exception {
    await().atMost(Duration.ofSeconds(5)).until(() -> gw.session(clientId) != null
        && "disconnected".equals(gw.session(clientId).state()));
    assertThat(gw.session(clientId).subscriptions()).isEqualTo(1);
    assertThat(placesHeld()).isEqualTo(1.0);
    await().atMost(Duration.ofSeconds(5)).until(() -> storedPlaces().equals(Set.of("udp:default|" + clientId)));
  }

  /** The place is free again: counted, the gauge at zero, its stored copy deleted. */
  private void noPlaceHeld() throws Exception {
    assertThat(placesHeld()).isZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> storedPlaces().isEmpty());
  }

  @Test
  void a_place_whose_session_is_deleted_through_the_api_is_free_at_once_for_the_next_unproven_subscriber()
      throws Exception {
    start(CAP);
    subscribeAndLeave("pl-deleted");
    holdsThePlace("pl-deleted");
    assertThat(delete("/api/v5/clients/pl-deleted")).isEqualTo(204);
    await().atMost(Duration.ofSeconds(5)).until(() -> freed("session_ended") == 1.0);
    assertThat(gw.session("pl-deleted")).isNull();
    noPlaceHeld();
    subscribeAndLeave("pl-next");
    holdsThePlace("pl-next");
    assertThat(drops("max_unproven")).as("the new session took the free place").isZero();
    assertThat(freedInAll()).isEqualTo(1.0);
  }

  @Test
  void a_place_whose_session_the_core_expires_before_the_place_runs_out_is_free() throws Exception {
    // the core caps the session expiry at 1 s; the place would hold for MQTT-SN's session_expiry_interval (2 h)
    start(CAP + "mqtt.max_session_expiry = 1s\n");
    subscribeAndLeave("pl-expired");
    await().atMost(Duration.ofSeconds(10)).until(() -> gw.session("pl-expired") == null);
    await().atMost(Duration.ofSeconds(5)).until(() -> freed("session_ended") == 1.0);
    noPlaceHeld();
    subscribeAndLeave("pl-after-expiry");
    assertThat(drops("max_unproven")).as("kept at its DISCONNECT: the place was free").isZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> freed("session_ended") == 2.0); // its own expiry, 1 s later
    assertThat(freedInAll()).isEqualTo(2.0);
    noPlaceHeld();
  }

  @Test
  void a_place_whose_session_an_mqtt_client_takes_over_is_free() throws Exception {
    start(CAP);
    subscribeAndLeave("pl-taken");
    holdsThePlace("pl-taken");
    Mqtt5BlockingClient mqtt = Mqtt5Client.builder().identifier("pl-taken").serverHost("127.0.0.1")
        .serverPort(gw.mqttPort()).buildBlocking();
    // the session's owner is its username, which for MQTT-SN is the client id: the same device, now over MQTT
    Mqtt5ConnAck ack = mqtt.connectWith().cleanStart(false).sessionExpiryInterval(600)
        .simpleAuth().username("pl-taken").applySimpleAuth().send();
    try {
      assertThat(ack.isSessionPresent()).as("the MQTT client resumed the MQTT-SN client's session").isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> freed("taken_over") == 1.0);
      noPlaceHeld();
      subscribeAndLeave("pl-next");
      holdsThePlace("pl-next");
      assertThat(drops("max_unproven")).isZero();
      assertThat(freedInAll()).isEqualTo(1.0);
    } finally {
      mqtt.disconnect();
    }
  }

  @Test
  void a_client_that_resumes_its_session_keeps_the_place_until_it_proves_its_address() throws Exception {
    start(CAP);
    subscribeAndLeave("pl-back");
    holdsThePlace("pl-back");
    try (MqttSnTestClient c = sn()) { // a new port: a new channel that has proved nothing, the session resumed
      connectPersistent(c, "pl-back");
      c.send(new PingReq(""));
      c.expect(PingResp.class);
      // the core told of the attach before the CONNACK went out: a plain-UDP client's resume frees nothing
      assertThat(freedInAll()).as("it may be the spoofer resuming its own session").isZero();
      assertThat(placesHeld()).isEqualTo(1.0);
      c.send(new Register(0, 1, "pl/back"));
      Regack regack = c.expect(Regack.class);
      c.send(new Publish(false, 1, false, new TopicRef.Id(regack.topicId()), 2, Payload.utf8("me")));
      assertThat(c.expect(Puback.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      assertThat(freed("proven")).as("the echo of its REGACK's topic id proved it").isEqualTo(1.0);
      noPlaceHeld();
      c.send(Disconnect.plain());
      c.expect(Disconnect.class);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> "disconnected".equals(gw.session("pl-back").state()));
    subscribeAndLeave("pl-next");
    holdsThePlace("pl-next");
    assertThat(drops("max_unproven")).isZero();
    assertThat(gw.session("pl-back").subscriptions()).as("the proven client's session is kept").isEqualTo(1);
    assertThat(freedInAll()).isEqualTo(1.0);
  }

  @Test
  void a_client_that_resumes_its_session_without_proving_anything_leaves_the_place_taken() throws Exception {
    start(CAP);
    subscribeAndLeave("pl-spoof");
    holdsThePlace("pl-spoof");
    try (MqttSnTestClient c = sn()) { // what a blind spoofer can do to make room: resume its session, leave again
      connectPersistent(c, "pl-spoof");
      c.send(new PingReq(""));
      c.expect(PingResp.class);
      c.send(Disconnect.plain());
      c.expect(Disconnect.class);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> "disconnected".equals(gw.session("pl-spoof").state()));
    subscribeAndLeave("pl-refused");
    await().atMost(Duration.ofSeconds(5)).until(() -> gw.session("pl-refused") == null);
    assertThat(drops("max_unproven")).isEqualTo(1.0);
    assertThat(freedInAll()).isZero();
    holdsThePlace("pl-spoof");
  }

  @Test
  void a_place_read_back_at_restart_is_free_once_its_session_is_deleted_through_the_gateway_api() throws Exception {
    TestStore store = TestStore.inMemory();
    start(CAP, store);
    subscribeAndLeave("pl-restored");
    holdsThePlace("pl-restored");
    gw.close();
    start(CAP, store);
    holdsThePlace("pl-restored");
    assertThat(delete("/api/v5/gateways/mqttsn/clients/pl-restored")).isEqualTo(204);
    await().atMost(Duration.ofSeconds(5)).until(() -> freed("session_ended") == 1.0);
    noPlaceHeld();
    subscribeAndLeave("pl-next");
    holdsThePlace("pl-next");
    assertThat(drops("max_unproven")).isZero();
    assertThat(freedInAll()).isEqualTo(1.0);
  }
}
