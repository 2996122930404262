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

/** Registrations and commands waiting for sleeping devices survive a gateway restart on the same store. */
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
        .adapter(factory)
        .start();
    mqtt = new MqttProbe(gw.mqttPort());
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

  @Test
  void a_composite_observation_does_not_survive_a_restart_and_can_be_sent_again() {
    InetSocketAddress first = start("127.0.0.1:0");
    device = new TestDevice("dev-orestart", first, 300, false).start();
    mqtt.await("lwm2m/dev-orestart/up/resp", j -> j.path("msgType").asText().equals("register"));
    String observe = "{\"reqID\":%d,\"msgType\":\"observe-composite\",\"data\":{\"paths\":[\"/19999/0/0\",\"/3/0/0\"]}}";
    mqtt.command("dev-orestart", observe.formatted(1));
    assertThat(mqtt.response("dev-orestart", 1).at("/data/code").asText()).isEqualTo("2.05");
    stopGateway();

    start("127.0.0.1:" + first.getPort());
    await().atMost(Duration.ofSeconds(10)).until(() -> factory.adapter.sessionReady("dev-orestart"));
    device.counter.increment(); // notifies the observation of the previous run: nobody publishes it
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
        .until(() -> mqtt.find("lwm2m/dev-orestart/up/notify", j -> true) == null);
    mqtt.command("dev-orestart", "{\"reqID\":2,\"msgType\":\"cancel-observe-composite\",\"data\":{\"paths\":[\"/3/0/0\",\"/19999/0/0\"]}}");
    assertThat(mqtt.response("dev-orestart", 2).at("/data/code").asText()).isEqualTo("4.04");

    mqtt.command("dev-orestart", observe.formatted(3));
    assertThat(mqtt.response("dev-orestart", 3).at("/data/code").asText()).isEqualTo("2.05");
    device.counter.increment();
    JsonNode n = mqtt.await("lwm2m/dev-orestart/up/notify", j -> j.path("reqID").asInt() == 3);
    assertThat(n.get("msgType").asText()).isEqualTo("notify");
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
