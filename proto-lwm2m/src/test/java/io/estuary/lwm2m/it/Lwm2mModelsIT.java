package io.estuary.lwm2m.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Object models out of the box (IPSO objects from the shipped OMA registry, no xml_dir) and objects no
 * model knows (commands go to the device, answers come back model-less), against a real Leshan client.
 */
@Timeout(60)
class Lwm2mModelsIT {
  private Lwm2mHarness h;
  private MqttProbe mqtt;
  private SensorDevice device;

  @BeforeEach
  void start() {
    h = new Lwm2mHarness("gateway.lwm2m.command_timeout = 5s", "gateway.lwm2m.xml_dir = \"\"");
    mqtt = h.mqtt;
    InetSocketAddress lwm2m = h.gw.listener("lwm2m", "udp:default");
    device = new SensorDevice("sensor-1", lwm2m, false);
    h.open.add(device);
    device.start();
    mqtt.await("lwm2m/sensor-1/up/resp", j -> j.path("msgType").asText().equals("register"));
  }

  @AfterEach
  void stop() throws Exception {
    h.close();
  }

  private JsonNode ask(int reqId, String json) {
    mqtt.command("sensor-1", json.formatted(reqId));
    return mqtt.response("sensor-1", reqId);
  }

  private static JsonNode item(JsonNode response, String path) {
    for (JsonNode i : response.at("/data/content")) {
      if (i.path("path").asText().equals(path)) {
        return i;
      }
    }
    return null;
  }

  @Test
  void ipso_temperature_and_light_control_are_read_written_and_observed_with_the_shipped_models() {
    JsonNode r = ask(1, "{\"reqID\":%d,\"msgType\":\"read\",\"data\":{\"path\":\"/3303/0/5700\"}}");
    assertThat(r.at("/data/code").asText()).as(r.toString()).isEqualTo("2.05");
    assertThat(item(r, "/3303/0/5700").get("value").asDouble()).isEqualTo(21.5);
    assertThat(r.at("/data/modelless").isMissingNode()).isTrue();

    r = ask(2, "{\"reqID\":%d,\"msgType\":\"write\",\"data\":{\"path\":\"/3311/0/5850\",\"value\":true}}");
    assertThat(r.at("/data/code").asText()).as(r.toString()).isEqualTo("2.04");
    assertThat(device.light.on).isTrue();
    r = ask(3, "{\"reqID\":%d,\"msgType\":\"write\",\"data\":{\"path\":\"/3311/0/5851\",\"value\":\"42\"}}");
    assertThat(r.at("/data/code").asText()).as(r.toString()).isEqualTo("2.04");
    assertThat(device.light.dimmer).isEqualTo(42);

    r = ask(4, "{\"reqID\":%d,\"msgType\":\"read\",\"data\":{\"path\":\"/3311/0\"}}");
    assertThat(item(r, "/3311/0/5850").get("value").asBoolean()).as(r.toString()).isTrue();
    assertThat(item(r, "/3311/0/5851").get("value").asLong()).isEqualTo(42);

    r = ask(5, "{\"reqID\":%d,\"msgType\":\"discover\",\"data\":{\"path\":\"/3311/0\"}}");
    assertThat(r.at("/data/code").asText()).as(r.toString()).isEqualTo("2.05");

    r = ask(6, "{\"reqID\":%d,\"msgType\":\"observe\",\"data\":{\"path\":\"/3303/0/5700\"}}");
    assertThat(r.at("/data/code").asText()).as(r.toString()).isEqualTo("2.05");
    device.temperature.set(23.25);
    JsonNode n = mqtt.await("lwm2m/sensor-1/up/notify", j -> j.path("reqID").asInt() == 6);
    assertThat(item(n, "/3303/0/5700").get("value").asDouble()).isEqualTo(23.25);

    r = ask(7, "{\"reqID\":%d,\"msgType\":\"cancel-observe\",\"data\":{\"path\":\"/3303/0/5700\"}}");
    assertThat(r.at("/data/code").asText()).as(r.toString()).isEqualTo("2.05");
  }

  @Test
  void an_object_the_device_does_not_have_is_answered_with_the_devices_4_04() {
    JsonNode r = ask(1, "{\"reqID\":%d,\"msgType\":\"read\",\"data\":{\"path\":\"/4242/0\"}}");
    assertThat(r.at("/data/code").asText()).as(r.toString()).isEqualTo("4.04");
    assertThat(r.at("/data/codeMsg").asText()).isEqualTo("not_found");
    r = ask(2, "{\"reqID\":%d,\"msgType\":\"observe\",\"data\":{\"path\":\"/4242/0/1\"}}");
    assertThat(r.at("/data/code").asText()).as(r.toString()).isEqualTo("4.04");
    r = ask(3, "{\"reqID\":%d,\"msgType\":\"discover\",\"data\":{\"path\":\"/4242\"}}");
    assertThat(r.at("/data/code").asText()).as(r.toString()).isEqualTo("4.04");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "tlv", "senml-json", "senml-cbor"})
  void a_private_object_is_read_with_values_and_wire_types_and_marked_model_less(String format) {
    String cf = format.isEmpty() ? "" : ",\"contentFormat\":\"" + format + "\"";
    JsonNode r = ask(1, "{\"reqID\":%d,\"msgType\":\"read\",\"data\":{\"path\":\"/32769/0\"" + cf + "}}");
    assertThat(r.at("/data/code").asText()).as(r.toString()).isEqualTo("2.05");
    assertThat(r.at("/data/modelless").asBoolean()).as(r.toString()).isTrue();
    assertThat(item(r, "/32769/0/3").get("value").asText()).isEqualTo("AQID"); // opaque as base64
    assertThat(item(r, "/32769/0/3").get("type").asText()).isEqualTo("Opaque");
    if (format.startsWith("senml")) { // SenML says each value's type; TLV (the device's default here) does not
      assertThat(item(r, "/32769/0/0").get("value").asLong()).isEqualTo(7);
      assertThat(item(r, "/32769/0/1").get("value").asText()).isEqualTo("box");
      assertThat(item(r, "/32769/0/1").get("type").asText()).isEqualTo("String");
      assertThat(item(r, "/32769/0/2").get("value").asDouble()).isEqualTo(0.5);
      assertThat(item(r, "/32769/0/4").get("value").asBoolean()).isTrue();
      assertThat(item(r, "/32769/0/4").get("type").asText()).isEqualTo("Boolean");
    } else {
      assertThat(item(r, "/32769/0/1").get("value").asText()).isEqualTo("Ym94"); // "box", untyped bytes
      assertThat(item(r, "/32769/0/1").get("type").asText()).isEqualTo("Opaque");
    }
  }

  @Test
  void a_private_object_is_written_with_explicit_types_and_refused_without_them() {
    JsonNode r = ask(1, "{\"reqID\":%d,\"msgType\":\"write\",\"data\":{\"path\":\"/32769/0/1\",\"type\":\"String\",\"value\":\"crate\"}}");
    assertThat(r.at("/data/code").asText()).as(r.toString()).isEqualTo("2.04");
    assertThat(r.at("/data/modelless").asBoolean()).isTrue();
    assertThat(device.vendor.name).isEqualTo("crate");

    r = ask(2, "{\"reqID\":%d,\"msgType\":\"write\",\"data\":{\"basePath\":\"/32769/0\",\"content\":["
        + "{\"path\":\"2\",\"type\":\"Float\",\"value\":0.25},{\"path\":\"4\",\"type\":\"Boolean\",\"value\":false}]}}");
    assertThat(r.at("/data/code").asText()).as(r.toString()).isEqualTo("2.04");
    assertThat(device.vendor.ratio).isEqualTo(0.25);
    assertThat(device.vendor.enabled).isFalse();

    r = ask(3, "{\"reqID\":%d,\"msgType\":\"write\",\"data\":{\"path\":\"/32769/0/1\",\"value\":\"untyped\"}}");
    assertThat(r.at("/data/code").asText()).as(r.toString()).isEqualTo("4.00");
    assertThat(r.at("/data/reason").asText()).contains("\"type\"");
    assertThat(device.vendor.name).isEqualTo("crate");
  }

  @Test
  void a_private_object_is_observed_and_its_notifications_are_marked_model_less() {
    JsonNode r = ask(1, "{\"reqID\":%d,\"msgType\":\"observe\",\"data\":{\"path\":\"/32769/0/0\",\"contentFormat\":\"senml-json\"}}");
    assertThat(r.at("/data/code").asText()).as(r.toString()).isEqualTo("2.05");
    assertThat(item(r, "/32769/0/0").get("value").asLong()).isEqualTo(7);
    device.vendor.increment();
    JsonNode n = mqtt.await("lwm2m/sensor-1/up/notify", j -> j.path("reqID").asInt() == 1);
    assertThat(n.at("/data/modelless").asBoolean()).as(n.toString()).isTrue();
    assertThat(item(n, "/32769/0/0").get("value").asLong()).isEqualTo(8);
    assertThat(item(n, "/32769/0/0").get("type").asText()).isEqualTo("Integer");
    r = ask(2, "{\"reqID\":%d,\"msgType\":\"cancel-observe\",\"data\":{\"path\":\"/32769/0/0\"}}");
    assertThat(r.at("/data/code").asText()).as(r.toString()).isEqualTo("2.05");
  }

  @Test
  void a_private_object_is_read_in_a_composite_read_next_to_a_modelled_one() {
    JsonNode r = ask(1, "{\"reqID\":%d,\"msgType\":\"read-composite\",\"data\":{\"paths\":[\"/32769/0/1\",\"/3303/0/5700\"]}}");
    assertThat(r.at("/data/code").asText()).as(r.toString()).isEqualTo("2.05");
    assertThat(r.at("/data/modelless").asBoolean()).isTrue();
    assertThat(item(r, "/32769/0/1").get("type").asText()).isEqualTo("String");
    assertThat(item(r, "/3303/0/5700").has("type")).isFalse();
  }
}
