package io.estuary.lwm2m.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.estuary.testkit.TestGateway;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** auto_observe, the queue limit, coap_timeout and re-registration, on one gateway with small limits. */
@Timeout(60)
class Lwm2mBehaviourIT {
  private Lwm2mHarness h;
  private List<AutoCloseable> open;
  private Lwm2mGatewayIT.CapturingFactory factory;
  private TestGateway gw;
  private MqttProbe mqtt;
  private InetSocketAddress lwm2m;

  @BeforeEach
  void start() {
    h = new Lwm2mHarness(
        "gateway.lwm2m.lifetime_min = 1s",
        "gateway.lwm2m.qmode_time_window = 1s",
        "gateway.lwm2m.auto_observe = true",
        "gateway.lwm2m.max_queued_commands = 2",
        "gateway.lwm2m.command_timeout = 1s");
    open = h.open;
    factory = h.factory;
    gw = h.gw;
    mqtt = h.mqtt;
    lwm2m = gw.listener("lwm2m", "udp:default");
  }

  @AfterEach
  void stop() throws Exception {
    h.close();
  }

  private TestDevice device(String ep, boolean queueMode) {
    TestDevice d = new TestDevice(ep, lwm2m, 300, queueMode);
    open.add(d);
    return d.start();
  }

  private static boolean isRegister(JsonNode j) {
    return j.path("msgType").asText().equals("register");
  }

  @Test
  void auto_observe_observes_each_object_instance_but_the_management_objects() {
    TestDevice d = device("dev-auto", false);
    mqtt.await("lwm2m/dev-auto/up/resp", Lwm2mBehaviourIT::isRegister);
    JsonNode first = mqtt.await("lwm2m/dev-auto/up/resp",
        j -> j.path("msgType").asText().equals("observe") && j.at("/data/reqPath").asText().equals("/19999/0"));
    assertThat(first.has("reqID")).isFalse();
    assertThat(first.at("/data/code").asText()).isEqualTo("2.05");
    mqtt.await("lwm2m/dev-auto/up/resp",
        j -> j.path("msgType").asText().equals("observe") && j.at("/data/reqPath").asText().equals("/3/0"));

    d.counter.increment();
    JsonNode n = mqtt.await("lwm2m/dev-auto/up/notify", j -> j.at("/data/reqPath").asText().equals("/19999/0"));
    assertThat(n.at("/data/content").toString()).contains("\"/19999/0/0\"");
    assertThat(mqtt.find("lwm2m/dev-auto/up/resp", j -> j.at("/data/reqPath").asText().equals("/1/0"))).isNull();
  }

  @Test
  void commands_beyond_max_queued_commands_are_answered_503_at_once() {
    device("dev-full", true);
    mqtt.await("lwm2m/dev-full/up/resp", Lwm2mBehaviourIT::isRegister);
    await().atMost(Duration.ofSeconds(10)).until(() -> !factory.adapter.isAwake("dev-full"));
    for (int id = 1; id <= 3; id++) {
      mqtt.command("dev-full", "{\"reqID\":" + id + ",\"msgType\":\"read\",\"data\":{\"path\":\"/3/0/0\"}}");
    }
    JsonNode r = mqtt.response("dev-full", 3);
    assertThat(r.at("/data/code").asText()).isEqualTo("5.03");
    assertThat(r.at("/data/codeMsg").asText()).isEqualTo("service_unavailable");
    assertThat(mqtt.find("lwm2m/dev-full/up/resp", j -> j.path("reqID").asInt() == 1)).isNull();
  }

  @Test
  void a_device_that_does_not_answer_gets_coap_timeout() {
    TestDevice d = device("dev-silent", false);
    mqtt.await("lwm2m/dev-silent/up/resp", Lwm2mBehaviourIT::isRegister);
    d.client.stop(false); // gone without deregistering
    mqtt.command("dev-silent", "{\"reqID\":9,\"msgType\":\"read\",\"data\":{\"path\":\"/3/0/0\"},\"imei\":\"x\"}");
    JsonNode r = mqtt.response("dev-silent", 9);
    assertThat(r.get("msgType").asText()).isEqualTo("coap_timeout");
    assertThat(r.get("imei").asText()).isEqualTo("x");
  }

  @Test
  void a_re_registration_publishes_a_new_register_event_and_keeps_the_session() {
    TestDevice d = device("dev-rereg", false);
    mqtt.await("lwm2m/dev-rereg/up/resp", Lwm2mBehaviourIT::isRegister);
    await().atMost(Duration.ofSeconds(10)).until(() -> factory.adapter.sessionReady("dev-rereg"));
    d.client.stop(false);
    d.client.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> mqtt.received.stream()
        .filter(r -> r.topic().equals("lwm2m/dev-rereg/up/resp") && isRegister(r.json())).count() == 2);
    assertThat(factory.adapter.sessionReady("dev-rereg")).isTrue();
    mqtt.command("dev-rereg", "{\"reqID\":5,\"msgType\":\"read\",\"data\":{\"path\":\"/3/0/0\"}}");
    assertThat(mqtt.response("dev-rereg", 5).at("/data/code").asText()).isEqualTo("2.05");
  }
}
