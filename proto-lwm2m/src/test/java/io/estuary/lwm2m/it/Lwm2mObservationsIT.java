package io.estuary.lwm2m.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code max_observations} and how a command's path names an observation, with a Leshan client and an MQTT
 * application: the answers on {@code up/resp} and {@code up/notify}, and the counter.
 */
@Timeout(60)
class Lwm2mObservationsIT {
  private Lwm2mHarness h;
  private MqttProbe mqtt;
  private InetSocketAddress lwm2m;

  @BeforeEach
  void start() {
    h = new Lwm2mHarness("gateway.lwm2m.max_observations = 2");
    mqtt = h.mqtt;
    lwm2m = h.gw.listener("lwm2m", "udp:default");
  }

  @AfterEach
  void stop() throws Exception {
    h.close();
  }

  private TestDevice device(String ep) {
    TestDevice d = new TestDevice(ep, lwm2m, 300, false);
    h.open.add(d);
    d.start();
    mqtt.await("lwm2m/" + ep + "/up/resp", j -> j.path("msgType").asText().equals("register"));
    return d;
  }

  private JsonNode observe(String ep, int reqId, String path) {
    mqtt.command(ep, "{\"reqID\":" + reqId + ",\"msgType\":\"observe\",\"data\":{\"path\":\"" + path + "\"}}");
    return mqtt.response(ep, reqId);
  }

  private double refused() {
    return h.gw.metrics().counter("lwm2m.commands.refused", "reason", "max_observations").count();
  }

  @Test
  void a_path_spelled_differently_is_the_same_observation_and_its_notifications_carry_its_req_id() {
    TestDevice d = device("dev-paths");
    JsonNode first = observe("dev-paths", 1, "19999/0/0/");
    assertThat(first.at("/data/code").asText()).isEqualTo("2.05");
    assertThat(first.at("/data/reqPath").asText()).isEqualTo("/19999/0/0");
    assertThat(observe("dev-paths", 2, " /19999/0/0").at("/data/code").asText()).as("the same path again")
        .isEqualTo("2.05");
    d.counter.increment();
    JsonNode n = mqtt.await("lwm2m/dev-paths/up/notify", j -> j.at("/data/content/0/value").asLong() == 1);
    assertThat(n.get("reqID").asInt()).as("found by Leshan's form of the path").isEqualTo(2);
    // two spellings took one place: a second path still fits under max_observations = 2
    assertThat(observe("dev-paths", 3, "/3/0/0").at("/data/code").asText()).isEqualTo("2.05");
    assertThat(refused()).isZero();
  }

  @Test
  void an_observe_beyond_max_observations_is_answered_503_and_a_cancel_makes_room() {
    device("dev-cap");
    assertThat(observe("dev-cap", 1, "/3/0/0").at("/data/code").asText()).isEqualTo("2.05");
    assertThat(observe("dev-cap", 2, "/19999/0/0").at("/data/code").asText()).isEqualTo("2.05");
    JsonNode third = observe("dev-cap", 3, "/3/0/1");
    assertThat(third.at("/data/code").asText()).isEqualTo("5.03");
    assertThat(third.at("/data/codeMsg").asText()).isEqualTo("service_unavailable");
    assertThat(third.at("/data/reason").asText()).contains("max_observations (2)");
    assertThat(refused()).isEqualTo(1.0);
    assertThat(observe("dev-cap", 4, "/3/0/0").at("/data/code").asText()).as("an observed path again").isEqualTo("2.05");

    mqtt.command("dev-cap", "{\"reqID\":5,\"msgType\":\"cancel-observe\",\"data\":{\"path\":\"/3/0/0\"}}");
    assertThat(mqtt.response("dev-cap", 5).at("/data/code").asText()).isEqualTo("2.05");
    assertThat(observe("dev-cap", 6, "/3/0/1").at("/data/code").asText()).isEqualTo("2.05");
    assertThat(refused()).isEqualTo(1.0);
  }

  @Test
  void a_re_registration_frees_the_places_of_the_observations_it_ended() {
    TestDevice d = device("dev-rereg");
    assertThat(observe("dev-rereg", 1, "/3/0/0").at("/data/code").asText()).isEqualTo("2.05");
    assertThat(observe("dev-rereg", 2, "/3/0/1").at("/data/code").asText()).isEqualTo("2.05");
    d.client.stop(false);
    d.client.start(); // a new registration: Leshan drops the old one's observations on both sides
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).until(() -> mqtt.received.stream()
        .filter(r -> r.topic().equals("lwm2m/dev-rereg/up/resp") && r.json().path("msgType").asText().equals("register"))
        .count() == 2);
    assertThat(observe("dev-rereg", 3, "/19999/0/0").at("/data/code").asText()).isEqualTo("2.05");
    assertThat(observe("dev-rereg", 4, "/3/0/0").at("/data/code").asText()).isEqualTo("2.05");
    assertThat(refused()).isZero();
  }

  @Test
  void an_observe_the_device_refuses_takes_no_place() {
    device("dev-refuses");
    for (int id = 1; id <= 3; id++) { // object 19999 has no instance 7: the device answers 4.04
      assertThat(observe("dev-refuses", id, "/19999/7").at("/data/code").asText()).isEqualTo("4.04");
    }
    assertThat(observe("dev-refuses", 4, "/3/0/0").at("/data/code").asText()).isEqualTo("2.05");
    assertThat(observe("dev-refuses", 5, "/19999/0/0").at("/data/code").asText()).isEqualTo("2.05");
    assertThat(refused()).isZero();
  }
}
