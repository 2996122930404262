package io.estuary.lwm2m.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.leshan.core.request.ContentFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** LwM2M 1.1 composite operations and SenML content through MQTT, against real Leshan clients over UDP. */
@Timeout(60)
class Lwm2mCompositeIT {
  private Lwm2mHarness h;
  private MqttProbe mqtt;
  private InetSocketAddress lwm2m;

  @BeforeEach
  void start() {
    h = new Lwm2mHarness("gateway.lwm2m.command_timeout = 5s");
    mqtt = h.mqtt;
    lwm2m = h.gw.listener("lwm2m", "udp:default");
  }

  @AfterEach
  void stop() throws Exception {
    h.close();
  }

  private TestDevice registered(TestDevice d) {
    h.open.add(d);
    d.start();
    mqtt.await("lwm2m/" + d.endpoint + "/up/resp", j -> j.path("msgType").asText().equals("register"));
    return d;
  }

  private TestDevice device(String ep) {
    return registered(new TestDevice(ep, lwm2m, 300, false));
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** The value at {@code path} in a response's content, or null. */
  private static JsonNode value(JsonNode response, String path) {
    for (JsonNode item : response.at("/data/content")) {
      if (item.path("path").asText().equals(path)) {
        return item.get("value");
      }
    }
    return null;
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "senml-cbor", "senml-json", "application/senml+json", "112"})
  void read_composite_returns_every_path_in_one_response(String format) {
    device("dev-rc");
    String cf = format.isEmpty() ? "" : ",\"contentFormat\":\"" + format + "\"";
    mqtt.command("dev-rc", "{\"reqID\":1,\"msgType\":\"read-composite\",\"data\":{\"paths\":[\"/3/0/0\",\"/19999/0\"]"
        + cf + "},\"imei\":\"x1\"}");
    JsonNode r = mqtt.response("dev-rc", 1);
    assertThat(r.get("msgType").asText()).isEqualTo("read-composite");
    assertThat(r.get("imei").asText()).isEqualTo("x1");
    assertThat(texts(r.at("/data/reqPaths"))).containsExactly("/3/0/0", "/19999/0");
    assertThat(r.at("/data/code").asText()).as(r.toString()).isEqualTo("2.05");
    assertThat(r.at("/data/codeMsg").asText()).isEqualTo("content");
    assertThat(value(r, "/3/0/0").asText()).isEqualTo("Estuary");
    assertThat(value(r, "/19999/0/0").asLong()).isZero();
    assertThat(value(r, "/19999/0/1").asText()).isEqualTo("first");
  }

  @Test
  void write_composite_writes_every_resource_with_types_from_the_model() {
    TestDevice d = device("dev-wc");
    mqtt.command("dev-wc", "{\"reqID\":2,\"msgType\":\"write-composite\",\"data\":{\"content\":["
        + "{\"path\":\"/19999/0/1\",\"value\":\"composite\"},{\"path\":\"/3/0/15\",\"value\":\"Europe/Paris\"}]}}");
    JsonNode r = mqtt.response("dev-wc", 2);
    assertThat(r.at("/data/code").asText()).as(r.toString()).isEqualTo("2.04");
    assertThat(texts(r.at("/data/reqPaths"))).containsExactly("/19999/0/1", "/3/0/15");
    assertThat(d.counter.label).isEqualTo("composite");

    mqtt.command("dev-wc", "{\"reqID\":3,\"msgType\":\"read-composite\",\"data\":{\"paths\":[\"/3/0/15\",\"/19999/0/1\"],"
        + "\"contentFormat\":\"senml-json\"}}");
    JsonNode back = mqtt.response("dev-wc", 3);
    assertThat(value(back, "/3/0/15").asText()).isEqualTo("Europe/Paris");
    assertThat(value(back, "/19999/0/1").asText()).isEqualTo("composite");
  }

  @Test
  void observe_composite_notifies_on_change_and_cancel_observe_composite_stops_it() {
    TestDevice d = device("dev-oc");
    mqtt.command("dev-oc", "{\"reqID\":4,\"msgType\":\"observe-composite\",\"data\":{\"paths\":[\"/19999/0/0\",\"/3/0/0\"]}}");
    JsonNode first = mqtt.response("dev-oc", 4);
    assertThat(first.at("/data/code").asText()).as(first.toString()).isEqualTo("2.05");
    assertThat(value(first, "/19999/0/0").asLong()).isZero();
    assertThat(value(first, "/3/0/0").asText()).isEqualTo("Estuary");

    d.counter.increment();
    JsonNode n = mqtt.await("lwm2m/dev-oc/up/notify", j -> {
      JsonNode v = value(j, "/19999/0/0");
      return v != null && v.asLong() == 1;
    });
    assertThat(n.get("msgType").asText()).isEqualTo("notify");
    assertThat(n.get("reqID").asInt()).isEqualTo(4);
    assertThat(n.get("seqNum").asLong()).isEqualTo(1);
    assertThat(texts(n.at("/data/reqPaths"))).containsExactlyInAnyOrder("/19999/0/0", "/3/0/0");
    assertThat(value(n, "/3/0/0").asText()).isEqualTo("Estuary");

    // the same path set in another order names the same observation
    mqtt.command("dev-oc", "{\"reqID\":5,\"msgType\":\"cancel-observe-composite\",\"data\":{\"paths\":[\"/3/0/0\",\"/19999/0/0\"]}}");
    JsonNode cancelled = mqtt.response("dev-oc", 5);
    assertThat(cancelled.at("/data/code").asText()).as(cancelled.toString()).isEqualTo("2.05");
    mqtt.command("dev-oc", "{\"reqID\":6,\"msgType\":\"cancel-observe-composite\",\"data\":{\"paths\":[\"/3/0/0\",\"/19999/0/0\"]}}");
    assertThat(mqtt.response("dev-oc", 6).at("/data/code").asText()).isEqualTo("4.04");
  }

  @Test
  void composite_commands_the_gateway_cannot_send_get_errors_on_up_resp_and_model_less_paths_go_to_the_device() {
    device("dev-ce");
    mqtt.command("dev-ce", "{\"reqID\":7,\"msgType\":\"read-composite\",\"data\":{\"paths\":[\"/3/0/0\",\"/4242/0/0\"]}}");
    JsonNode unknown = mqtt.response("dev-ce", 7); // an object without a model goes to the device all the same
    assertThat(unknown.at("/data/code").asText()).as(unknown.toString()).isEqualTo("2.05");
    assertThat(unknown.at("/data/modelless").asBoolean()).isTrue();
    assertThat(value(unknown, "/3/0/0").asText()).isEqualTo("Estuary");
    assertThat(value(unknown, "/4242/0/0")).isNull(); // the device has no object 4242
    assertThat(texts(unknown.at("/data/reqPaths"))).containsExactly("/3/0/0", "/4242/0/0");

    mqtt.command("dev-ce", "{\"reqID\":8,\"msgType\":\"read-composite\",\"data\":{\"paths\":[\"/3/0/0\"],\"contentFormat\":\"tlv\"}}");
    JsonNode tlv = mqtt.response("dev-ce", 8);
    assertThat(tlv.at("/data/code").asText()).isEqualTo("4.00");
    assertThat(tlv.at("/data/reason").asText()).contains("senml");

    mqtt.command("dev-ce", "{\"reqID\":9,\"msgType\":\"read-composite\",\"data\":{\"paths\":[]}}");
    assertThat(mqtt.response("dev-ce", 9).at("/data/reason").asText()).contains("data.paths");

    mqtt.command("dev-ce", "{\"reqID\":10,\"msgType\":\"write-composite\",\"data\":{\"content\":[{\"path\":\"/19999/0/1\"}]}}");
    assertThat(mqtt.response("dev-ce", 10).at("/data/code").asText()).isEqualTo("4.00");

    mqtt.command("dev-ce", "{\"reqID\":11,\"msgType\":\"cancel-observe-composite\",\"data\":{\"paths\":[\"/3/0/0\"]}}");
    assertThat(mqtt.response("dev-ce", 11).at("/data/code").asText()).isEqualTo("4.04");
  }

  @Test
  void a_device_without_senml_answers_composite_with_its_error_code() {
    registered(TestDevice.withFormats("dev-tlv", lwm2m, ContentFormat.TLV, ContentFormat.TEXT, ContentFormat.OPAQUE,
        ContentFormat.LINK));
    mqtt.command("dev-tlv", "{\"reqID\":12,\"msgType\":\"read-composite\",\"data\":{\"paths\":[\"/3/0/0\"]}}");
    JsonNode r = mqtt.response("dev-tlv", 12);
    assertThat(r.get("msgType").asText()).isEqualTo("read-composite");
    assertThat(r.at("/data/code").asText()).as(r.toString()).startsWith("4.");
    // plain operations still work with that device
    mqtt.command("dev-tlv", "{\"reqID\":13,\"msgType\":\"read\",\"data\":{\"path\":\"/3/0/0\"}}");
    assertThat(mqtt.response("dev-tlv", 13).at("/data/code").asText()).isEqualTo("2.05");
  }

  @Test
  void a_senml_only_device_takes_plain_read_write_and_observe() {
    TestDevice d = registered(TestDevice.withFormats("dev-senml", lwm2m, ContentFormat.SENML_CBOR,
        ContentFormat.SENML_JSON, ContentFormat.LINK));
    mqtt.command("dev-senml", "{\"reqID\":14,\"msgType\":\"read\",\"data\":{\"path\":\"/19999/0\"}}");
    JsonNode read = mqtt.response("dev-senml", 14);
    assertThat(read.at("/data/code").asText()).as(read.toString()).isEqualTo("2.05");
    assertThat(value(read, "/19999/0/1").asText()).isEqualTo("first");

    // no contentFormat: the registration's ct has no TLV, so the write goes as SenML CBOR
    mqtt.command("dev-senml", "{\"reqID\":15,\"msgType\":\"write\",\"data\":{\"path\":\"/19999/0/1\",\"value\":\"senml\"}}");
    JsonNode write = mqtt.response("dev-senml", 15);
    assertThat(write.at("/data/code").asText()).as(write.toString()).isEqualTo("2.04");
    assertThat(d.counter.label).isEqualTo("senml");

    mqtt.command("dev-senml", "{\"reqID\":16,\"msgType\":\"observe\",\"data\":{\"path\":\"/19999/0/0\",\"contentFormat\":\"senml-json\"}}");
    assertThat(mqtt.response("dev-senml", 16).at("/data/code").asText()).isEqualTo("2.05");
    d.counter.increment();
    JsonNode n = mqtt.await("lwm2m/dev-senml/up/notify", j -> j.at("/data/content/0/value").asLong() == 1);
    assertThat(n.get("reqID").asInt()).isEqualTo(16);
  }
}
