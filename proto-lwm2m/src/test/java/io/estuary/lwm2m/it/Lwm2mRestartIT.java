package io.estuary.lwm2m.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.estuary.testkit.TestGateway;
import io.estuary.testkit.TestStore;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Registrations, commands waiting for sleeping devices and observations (single and composite) survive a
 * gateway restart on the same store.
 */
@Timeout(90)
class Lwm2mRestartIT {
  private final TestStore store = TestStore.inMemory();
  private TestGateway gw;
  private MqttProbe mqtt;
  private TestDevice device;
  private Lwm2mGatewayIT.CapturingFactory factory;

  private InetSocketAddress start(String bind) {
    factory = new Lwm2mGatewayIT.CapturingFactory();
    gw = TestGateway.builder().store(store)
        .config("gateway.lwm2m.listeners.udp.default.bind = \"" + bind + "\"")
        .config("gateway.lwm2m.xml_dir = \"" + TestDevice.XML_DIR.getPath().replace("\\", "/") + "\"")
        .config("gateway.lwm2m.lifetime_min = 1s")
        .config("gateway.lwm2m.qmode_time_window = 1s")
        .config("gateway.lwm2m.command_timeout = 5s")
        // QoS 1 notifications wait in the probe's persistent session while it reconnects after a restart
        .config("gateway.lwm2m.translators.notify = { topic = \"up/notify\", qos = 1 }")
        .adapter(factory)
        .start();
    mqtt = new MqttProbe(gw.mqttPort(), "probe-restart", true);
    return gw.listener("lwm2m", "udp:default");
  }

  private void stopGateway() {
    mqtt.close();
    gw.close();
    gw = null;
  }

  @AfterEach
  void stop() {
    if (device != null) {
      device.close();
    }
    if (gw != null) {
      stopGateway();
    }
  }

  @Test
  void a_registered_device_takes_commands_after_a_restart_without_registering_again() {
    InetSocketAddress first = start("127.0.0.1:0");
    device = new TestDevice("dev-restart", first, 300, false).start();
    mqtt.await("lwm2m/dev-restart/up/resp", j -> j.path("msgType").asText().equals("register"));
    stopGateway();

    start("127.0.0.1:" + first.getPort());
    await().atMost(Duration.ofSeconds(10)).until(() -> factory.adapter.sessionReady("dev-restart"));
    mqtt.command("dev-restart", "{\"reqID\":1,\"msgType\":\"read\",\"data\":{\"path\":\"/3/0/0\"}}");
    JsonNode r = mqtt.response("dev-restart", 1);
    assertThat(r.at("/data/code").asText()).isEqualTo("2.05");
    assertThat(r.at("/data/content/0/value").asText()).isEqualTo("Estuary");
    assertThat(mqtt.find("lwm2m/dev-restart/up/resp", j -> j.path("msgType").asText().equals("register"))).isNull();
    assertThat(factory.adapter.isAwake("dev-restart")).isTrue();
  }

  private static boolean resumed(JsonNode j) {
    return j.path("resumed").asBoolean(false);
  }

  private static long value(JsonNode n, String path) {
    for (JsonNode i : n.at("/data/content")) {
      if (i.path("path").asText().equals(path)) {
        return i.get("value").asLong();
      }
    }
    throw new AssertionError("no " + path + " in " + n);
  }

  @Test
  void single_and_composite_observations_resume_after_a_restart_without_the_device_observing_again() {
    InetSocketAddress first = start("127.0.0.1:0");
    device = new TestDevice("dev-orestart", first, 300, false).start();
    mqtt.await("lwm2m/dev-orestart/up/resp", j -> j.path("msgType").asText().equals("register"));
    mqtt.command("dev-orestart", "{\"reqID\":1,\"msgType\":\"observe\",\"data\":{\"path\":\"/19999/0/0\"}}");
    assertThat(mqtt.response("dev-orestart", 1).at("/data/code").asText()).isEqualTo("2.05");
    mqtt.command("dev-orestart", "{\"reqID\":\"c-2\",\"msgType\":\"observe-composite\",\"data\":{\"paths\":[\"/19999/0/0\",\"/3/0/0\"]}}");
    assertThat(mqtt.await("lwm2m/dev-orestart/up/resp", j -> j.path("reqID").asText().equals("c-2"))
        .at("/data/code").asText()).isEqualTo("2.05");
    await().atMost(Duration.ofSeconds(5)).until(() -> store.storedKeyValues("lwm2m").scan("obs/dev-orestart/").size() == 2);
    stopGateway();

    start("127.0.0.1:" + first.getPort());
    // not in queue mode: re-established at once, each first answer a notification flagged as resumed
    JsonNode single = mqtt.await("lwm2m/dev-orestart/up/notify", j -> j.path("reqID").asInt() == 1 && resumed(j));
    assertThat(single.at("/data/reqPath").asText()).isEqualTo("/19999/0/0");
    assertThat(value(single, "/19999/0/0")).isZero();
    JsonNode composite = mqtt.await("lwm2m/dev-orestart/up/notify",
        j -> j.path("reqID").asText().equals("c-2") && resumed(j));
    assertThat(composite.at("/data/reqPaths/0").asText()).isEqualTo("/19999/0/0");

    device.counter.increment(); // the device did not observe again: the gateway's new observations carry this
    JsonNode n = mqtt.await("lwm2m/dev-orestart/up/notify", j -> j.path("reqID").asInt() == 1 && !resumed(j));
    assertThat(value(n, "/19999/0/0")).isEqualTo(1);
    JsonNode nc = mqtt.await("lwm2m/dev-orestart/up/notify", j -> j.path("reqID").asText().equals("c-2") && !resumed(j));
    assertThat(value(nc, "/19999/0/0")).isEqualTo(1);

    mqtt.command("dev-orestart", "{\"reqID\":3,\"msgType\":\"cancel-observe\",\"data\":{\"path\":\"/19999/0/0\"}}");
    assertThat(mqtt.response("dev-orestart", 3).at("/data/code").asText()).isEqualTo("2.05");
    mqtt.command("dev-orestart", "{\"reqID\":4,\"msgType\":\"cancel-observe-composite\",\"data\":{\"paths\":[\"/3/0/0\",\"/19999/0/0\"]}}");
    assertThat(mqtt.response("dev-orestart", 4).at("/data/code").asText()).isEqualTo("2.05");
    await().atMost(Duration.ofSeconds(5)).until(() -> store.storedKeyValues("lwm2m").scan("obs/dev-orestart/").isEmpty());
  }

  @Test
  void an_observation_of_a_sleeping_device_is_re_established_when_the_device_is_next_heard() {
    InetSocketAddress first = start("127.0.0.1:0");
    device = new TestDevice("dev-oqrestart", first, 300, true).start();
    mqtt.await("lwm2m/dev-oqrestart/up/resp", j -> j.path("msgType").asText().equals("register"));
    mqtt.command("dev-oqrestart", "{\"reqID\":1,\"msgType\":\"observe\",\"data\":{\"path\":\"/19999/0/0\"}}");
    device.client.triggerRegistrationUpdate(); // in case it already slept
    assertThat(mqtt.response("dev-oqrestart", 1).at("/data/code").asText()).isEqualTo("2.05");
    await().atMost(Duration.ofSeconds(5)).until(() -> !store.storedKeyValues("lwm2m").scan("obs/dev-oqrestart/").isEmpty());
    stopGateway();

    start("127.0.0.1:" + first.getPort());
    await().atMost(Duration.ofSeconds(10)).until(() -> factory.adapter.sessionReady("dev-oqrestart"));
    assertThat(factory.adapter.isAwake("dev-oqrestart")).isFalse(); // not heard yet: nothing is sent
    assertThat(mqtt.find("lwm2m/dev-oqrestart/up/notify", j -> true)).isNull();
    device.client.triggerRegistrationUpdate();
    JsonNode resumedFirst = mqtt.await("lwm2m/dev-oqrestart/up/notify", j -> j.path("reqID").asInt() == 1 && resumed(j));
    assertThat(value(resumedFirst, "/19999/0/0")).isZero();
    device.counter.increment();
    JsonNode n = mqtt.await("lwm2m/dev-oqrestart/up/notify", j -> j.path("reqID").asInt() == 1 && !resumed(j));
    assertThat(value(n, "/19999/0/0")).isEqualTo(1);
  }

  @Test
  void a_deregistered_device_leaves_no_stored_observation() {
    InetSocketAddress first = start("127.0.0.1:0");
    device = new TestDevice("dev-odereg", first, 300, false).start();
    mqtt.await("lwm2m/dev-odereg/up/resp", j -> j.path("msgType").asText().equals("register"));
    mqtt.command("dev-odereg", "{\"reqID\":1,\"msgType\":\"observe\",\"data\":{\"path\":\"/19999/0/0\"}}");
    assertThat(mqtt.response("dev-odereg", 1).at("/data/code").asText()).isEqualTo("2.05");
    await().atMost(Duration.ofSeconds(5)).until(() -> !store.storedKeyValues("lwm2m").scan("obs/dev-odereg/").isEmpty());
    device.close();
    device = null;
    await().atMost(Duration.ofSeconds(5)).until(() -> store.storedKeyValues("lwm2m").scan("obs/dev-odereg/").isEmpty());
  }

  @Test
  void a_command_waiting_for_a_sleeping_device_is_sent_when_it_wakes_after_a_restart() {
    InetSocketAddress first = start("127.0.0.1:0");
    Lwm2mGatewayIT.CapturingFactory before = factory;
    device = new TestDevice("dev-qrestart", first, 300, true).start();
    mqtt.await("lwm2m/dev-qrestart/up/resp", j -> j.path("msgType").asText().equals("register"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !before.adapter.isAwake("dev-qrestart"));
    mqtt.command("dev-qrestart", "{\"reqID\":7,\"msgType\":\"write\",\"data\":{\"path\":\"/19999/0/1\",\"value\":\"kept\"}}");
    await().atMost(Duration.ofSeconds(5)).until(() -> !store.storedKeyValues("lwm2m").scan("q/dev-qrestart/").isEmpty());
    stopGateway();

    start("127.0.0.1:" + first.getPort());
    await().atMost(Duration.ofSeconds(10)).until(() -> factory.adapter.sessionReady("dev-qrestart"));
    device.client.triggerRegistrationUpdate();
    JsonNode r = mqtt.response("dev-qrestart", 7);
    assertThat(r.at("/data/code").asText()).isEqualTo("2.04");
    assertThat(device.counter.label).isEqualTo("kept");
    await().atMost(Duration.ofSeconds(5)).until(() -> store.storedKeyValues("lwm2m").scan("q/dev-qrestart/").isEmpty());
  }
}
