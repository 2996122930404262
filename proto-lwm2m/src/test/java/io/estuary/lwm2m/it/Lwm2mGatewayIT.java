package io.estuary.lwm2m.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.estuary.api.AdapterConfig;
import io.estuary.api.GatewayContext;
import io.estuary.api.ProtocolAdapter;
import io.estuary.api.ProtocolAdapterFactory;
import io.estuary.testkit.TestGateway;
import io.estuary.lwm2m.Lwm2mAdapter;
import io.estuary.lwm2m.Lwm2mAdapterFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class Lwm2mGatewayIT {
  /** Keeps the adapter the gateway created, to ask it whether a queue-mode device sleeps. */
  static final class CapturingFactory implements ProtocolAdapterFactory {
    volatile Lwm2mAdapter adapter;

    @Override
    public String protocol() {
      return "lwm2m";
    }

    @Override
    public ProtocolAdapter create(AdapterConfig c, GatewayContext ctx) {
      adapter = (Lwm2mAdapter) new Lwm2mAdapterFactory().create(c, ctx);
      return adapter;
    }
  }

  private Lwm2mHarness h;
  private List<AutoCloseable> open;
  private CapturingFactory factory;
  private TestGateway gw;
  private MqttProbe mqtt;
  private InetSocketAddress lwm2m;

  @BeforeEach
  void start() {
    h = new Lwm2mHarness(
        "gateway.lwm2m.lifetime_min = 1s",
        "gateway.lwm2m.qmode_time_window = 1s",
        "gateway.lwm2m.update_msg_publish_condition = always",
        "gateway.lwm2m.command_timeout = 5s");
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

  private TestDevice device(String ep, long lifetime, boolean queueMode) {
    TestDevice d = new TestDevice(ep, lwm2m, lifetime, queueMode);
    open.add(d);
    return d.start();
  }

  private JsonNode registered(String ep) {
    return mqtt.await("lwm2m/" + ep + "/up/resp", j -> j.path("msgType").asText().equals("register"));
  }

  @Test
  void register_publishes_the_register_event_and_opens_a_session() {
    device("dev-reg", 300, false);
    JsonNode reg = registered("dev-reg");
    JsonNode data = reg.get("data");
    assertThat(data.get("ep").asText()).isEqualTo("dev-reg");
    assertThat(data.get("lt").asLong()).isEqualTo(300);
    assertThat(data.get("lwm2m").asText()).isNotEmpty();
    assertThat(data.get("b").asText()).isEqualTo("U");
    assertThat(data.get("alternatePath").asText()).isEqualTo("/");
    List<String> objects = new ArrayList<>();
    data.get("objectList").forEach(n -> objects.add(n.asText()));
    assertThat(objects).contains("/1/0", "/3/0", "/19999/0");
    assertThat(factory.adapter.isAwake("dev-reg")).isTrue();
  }

  @Test
  void update_publishes_an_update_event_and_deregister_ends_the_session() {
    TestDevice d = device("dev-upd", 300, false);
    registered("dev-upd");
    d.client.triggerRegistrationUpdate();
    JsonNode upd = mqtt.await("lwm2m/dev-upd/up/update", j -> j.path("msgType").asText().equals("update"));
    assertThat(upd.get("data").get("ep").asText()).isEqualTo("dev-upd");
    d.client.stop(true);
    await().atMost(Duration.ofSeconds(10)).until(() -> !factory.adapter.isAwake("dev-upd"));
  }

  @Test
  void lifetime_outside_the_configured_bounds_is_refused() {
    h.neverRegisters(device("dev-lt", 100_000, false), "FORBIDDEN");
  }

  @Test
  void read_returns_the_resource_value_as_content() {
    device("dev-read", 300, false);
    registered("dev-read");
    mqtt.command("dev-read", "{\"reqID\":1,\"msgType\":\"read\",\"data\":{\"path\":\"/3/0/0\"}}");
    JsonNode r = mqtt.response("dev-read", 1);
    assertThat(r.get("msgType").asText()).isEqualTo("read");
    assertThat(r.at("/data/reqPath").asText()).isEqualTo("/3/0/0");
    assertThat(r.at("/data/code").asText()).isEqualTo("2.05");
    assertThat(r.at("/data/codeMsg").asText()).isEqualTo("content");
    assertThat(r.at("/data/content/0/path").asText()).isEqualTo("/3/0/0");
    assertThat(r.at("/data/content/0/value").asText()).isEqualTo("Estuary");
  }

  @Test
  void read_of_an_object_instance_from_xml_dir_lists_every_resource() {
    device("dev-xml", 300, false);
    registered("dev-xml");
    mqtt.command("dev-xml", "{\"reqID\":2,\"msgType\":\"read\",\"data\":{\"path\":\"/19999/0\"}}");
    JsonNode r = mqtt.response("dev-xml", 2);
    assertThat(r.at("/data/code").asText()).isEqualTo("2.05");
    assertThat(r.at("/data/content").toString()).contains("\"/19999/0/0\"", "\"/19999/0/1\"", "\"first\"");
  }

  @Test
  void write_execute_and_discover_reach_the_device() {
    TestDevice d = device("dev-wr", 300, false);
    registered("dev-wr");
    mqtt.command("dev-wr", "{\"reqID\":3,\"msgType\":\"write\",\"data\":{\"path\":\"/19999/0/1\",\"type\":\"String\",\"value\":\"kitchen\"}}");
    assertThat(mqtt.response("dev-wr", 3).at("/data/code").asText()).isEqualTo("2.04");
    assertThat(d.counter.label).isEqualTo("kitchen");

    mqtt.command("dev-wr", "{\"reqID\":4,\"msgType\":\"write\",\"data\":{\"basePath\":\"/19999/0\",\"content\":[{\"path\":\"1\",\"value\":\"hall\"}]}}");
    assertThat(mqtt.response("dev-wr", 4).at("/data/codeMsg").asText()).isEqualTo("changed");
    assertThat(d.counter.label).isEqualTo("hall");

    d.counter.count = 7;
    mqtt.command("dev-wr", "{\"reqID\":5,\"msgType\":\"execute\",\"data\":{\"path\":\"/19999/0/2\",\"args\":\"\"}}");
    assertThat(mqtt.response("dev-wr", 5).at("/data/code").asText()).isEqualTo("2.04");
    assertThat(d.counter.count).isZero();

    mqtt.command("dev-wr", "{\"reqID\":6,\"msgType\":\"discover\",\"data\":{\"path\":\"/19999/0\"}}");
    JsonNode disc = mqtt.response("dev-wr", 6);
    assertThat(disc.at("/data/code").asText()).isEqualTo("2.05");
    assertThat(disc.at("/data/content").toString()).contains("</19999/0/0>", "</19999/0/2>");

    mqtt.command("dev-wr", "{\"reqID\":7,\"msgType\":\"write-attr\",\"data\":{\"path\":\"/19999/0/0\",\"pmin\":\"1\",\"pmax\":\"5\"}}");
    assertThat(mqtt.response("dev-wr", 7).at("/data/code").asText()).isEqualTo("2.04");
  }

  @Test
  void create_and_delete_an_object_instance() {
    device("dev-cd", 300, false);
    registered("dev-cd");
    mqtt.command("dev-cd", "{\"reqID\":8,\"msgType\":\"create\",\"data\":{\"basePath\":\"/19999\",\"content\":[{\"path\":\"/19999/5/1\",\"type\":\"String\",\"value\":\"new\"}]}}");
    JsonNode created = mqtt.response("dev-cd", 8);
    assertThat(created.at("/data/code").asText()).as(created.toString()).isEqualTo("2.01");
    mqtt.command("dev-cd", "{\"reqID\":9,\"msgType\":\"delete\",\"data\":{\"path\":\"/19999/5\"}}");
    assertThat(mqtt.response("dev-cd", 9).at("/data/code").asText()).isEqualTo("2.02");
    mqtt.command("dev-cd", "{\"reqID\":10,\"msgType\":\"read\",\"data\":{\"path\":\"/19999/5\"}}");
    assertThat(mqtt.response("dev-cd", 10).at("/data/code").asText()).isEqualTo("4.04");
  }

  @Test
  void observe_answers_then_notifies_on_change_until_cancelled() {
    TestDevice d = device("dev-obs", 300, false);
    registered("dev-obs");
    mqtt.command("dev-obs", "{\"reqID\":11,\"msgType\":\"observe\",\"data\":{\"path\":\"/19999/0/0\"}}");
    JsonNode first = mqtt.response("dev-obs", 11);
    assertThat(first.at("/data/code").asText()).isEqualTo("2.05");
    assertThat(first.at("/data/content/0/value").asLong()).isZero();

    d.counter.increment();
    JsonNode n = mqtt.await("lwm2m/dev-obs/up/notify", j -> j.at("/data/content/0/value").asLong() == 1);
    assertThat(n.get("msgType").asText()).isEqualTo("notify");
    assertThat(n.get("reqID").asInt()).isEqualTo(11);
    assertThat(n.get("seqNum").asLong()).isPositive();
    assertThat(n.at("/data/reqPath").asText()).isEqualTo("/19999/0/0");

    mqtt.command("dev-obs", "{\"reqID\":12,\"msgType\":\"cancel-observe\",\"data\":{\"path\":\"/19999/0/0\"}}");
    assertThat(mqtt.response("dev-obs", 12).at("/data/code").asText()).isEqualTo("2.05");
  }

  @Test
  void malformed_and_invalid_commands_get_error_responses() {
    device("dev-bad", 300, false);
    registered("dev-bad");
    mqtt.command("dev-bad", "{not json");
    JsonNode bad = mqtt.await("lwm2m/dev-bad/up/resp", j -> j.at("/data/code").asText().equals("4.00")
        && j.at("/data/reason").asText().startsWith("malformed JSON"));
    assertThat(bad.get("msgType").asText()).isEqualTo("unknown");

    mqtt.command("dev-bad", "{\"reqID\":20,\"msgType\":\"jump\",\"data\":{}}");
    assertThat(mqtt.response("dev-bad", 20).at("/data/reason").asText()).contains("unknown msgType");

    mqtt.command("dev-bad", "{\"reqID\":21,\"msgType\":\"read\",\"data\":{\"path\":\"/4242/0/0\"}}");
    JsonNode unknown = mqtt.response("dev-bad", 21); // no model: asked all the same, the device has no such object
    assertThat(unknown.at("/data/code").asText()).isEqualTo("4.04");
    assertThat(unknown.at("/data/modelless").asBoolean()).isTrue();

    mqtt.command("dev-bad", "{\"reqID\":22,\"msgType\":\"write\",\"data\":{\"path\":\"/19999/0/1\",\"type\":\"Integer\",\"value\":\"abc\"}}");
    assertThat(mqtt.response("dev-bad", 22).at("/data/code").asText()).isEqualTo("4.00");

    mqtt.command("dev-bad", "{\"reqID\":23,\"msgType\":\"read\",\"data\":{\"path\":\"/3/0/77\"}}");
    assertThat(mqtt.response("dev-bad", 23).at("/data/code").asText()).isEqualTo("4.04");
  }

  @Test
  void queue_mode_commands_wait_for_the_device_to_wake_and_go_out_in_order() {
    TestDevice d = device("dev-q", 300, true);
    JsonNode reg = registered("dev-q");
    assertThat(reg.at("/data/b").asText()).contains("Q");
    await().atMost(Duration.ofSeconds(10)).until(() -> !factory.adapter.isAwake("dev-q"));

    mqtt.command("dev-q", "{\"reqID\":30,\"msgType\":\"write\",\"data\":{\"path\":\"/19999/0/1\",\"value\":\"one\"}}");
    mqtt.command("dev-q", "{\"reqID\":31,\"msgType\":\"read\",\"data\":{\"path\":\"/19999/0/1\"}}");
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
        .until(() -> mqtt.find("lwm2m/dev-q/up/resp", j -> j.has("reqID")) == null);

    d.client.triggerRegistrationUpdate();
    assertThat(mqtt.response("dev-q", 30).at("/data/code").asText()).isEqualTo("2.04");
    assertThat(mqtt.response("dev-q", 31).at("/data/content/0/value").asText()).isEqualTo("one");
  }

  @Test
  void queue_mode_composite_commands_wait_for_the_device_to_wake_and_go_out_in_order() {
    TestDevice d = device("dev-qc", 300, true);
    registered("dev-qc");
    await().atMost(Duration.ofSeconds(10)).until(() -> !factory.adapter.isAwake("dev-qc"));

    String read = "{\"reqID\":%d,\"msgType\":\"read-composite\",\"data\":{\"paths\":[\"/19999/0/1\",\"/3/0/15\"]}}";
    mqtt.command("dev-qc", read.formatted(50));
    mqtt.command("dev-qc", "{\"reqID\":51,\"msgType\":\"write-composite\",\"data\":{\"content\":["
        + "{\"path\":\"/19999/0/1\",\"value\":\"asleep\"},{\"path\":\"/3/0/15\",\"value\":\"Europe/Oslo\"}]}}");
    mqtt.command("dev-qc", read.formatted(52));
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
        .until(() -> mqtt.find("lwm2m/dev-qc/up/resp", j -> j.has("reqID")) == null);
    assertThat(d.counter.label).isEqualTo("first");

    d.client.triggerRegistrationUpdate();
    JsonNode before = mqtt.response("dev-qc", 50);
    JsonNode written = mqtt.response("dev-qc", 51);
    JsonNode after = mqtt.response("dev-qc", 52);
    assertThat(before.get("msgType").asText()).isEqualTo("read-composite");
    assertThat(before.at("/data/code").asText()).as(before.toString()).isEqualTo("2.05");
    assertThat(compositeValue(before, "/19999/0/1")).isEqualTo("first"); // read before the write went out
    assertThat(written.get("msgType").asText()).isEqualTo("write-composite");
    assertThat(written.at("/data/code").asText()).as(written.toString()).isEqualTo("2.04");
    assertThat(compositeValue(after, "/19999/0/1")).isEqualTo("asleep");
    assertThat(compositeValue(after, "/3/0/15")).isEqualTo("Europe/Oslo");
    assertThat(d.counter.label).isEqualTo("asleep");
    // published in the order they were queued
    List<Integer> order = mqtt.received.stream().filter(r -> r.topic().equals("lwm2m/dev-qc/up/resp"))
        .filter(r -> r.json().has("reqID")).map(r -> r.json().get("reqID").asInt()).toList();
    assertThat(order).containsExactly(50, 51, 52);
  }

  private static String compositeValue(JsonNode response, String path) {
    for (JsonNode item : response.at("/data/content")) {
      if (item.path("path").asText().equals(path)) {
        return item.path("value").asText();
      }
    }
    return null;
  }

  @Test
  void queue_mode_commands_that_expire_while_the_device_sleeps_get_an_error() {
    device("dev-qx", 300, true);
    registered("dev-qx");
    await().atMost(Duration.ofSeconds(10)).until(() -> !factory.adapter.isAwake("dev-qx"));
    mqtt.commandWithExpiry("dev-qx", "{\"reqID\":40,\"msgType\":\"read\",\"data\":{\"path\":\"/3/0/0\"}}", 1);
    JsonNode r = mqtt.response("dev-qx", 40);
    assertThat(r.at("/data/code").asText()).isEqualTo("5.04");
    assertThat(r.at("/data/reason").asText()).contains("expired");
  }

  @Test
  void lwm2m_1_1_send_is_published_on_up_send() throws Exception {
    TestDevice d = device("dev-send", 300, false);
    registered("dev-send");
    org.eclipse.leshan.core.response.SendResponse r = d.client.getSendService().sendData(d.server(),
        org.eclipse.leshan.core.request.ContentFormat.SENML_JSON, List.of("/3/0/0", "/19999/0/1"), 5000);
    assertThat(r.isSuccess()).isTrue();
    JsonNode sent = mqtt.await("lwm2m/dev-send/up/send", j -> j.path("msgType").asText().equals("send"));
    assertThat(sent.at("/data/content").toString()).contains("\"/3/0/0\"", "\"Estuary\"", "\"/19999/0/1\"");
  }
}
