package io.estuary.lwm2m.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.eclipse.leshan.core.LwM2m.LwM2mVersion;
import org.eclipse.leshan.core.model.LwM2mModel;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.StaticModel;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.node.LwM2mSingleResource;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.core.request.ObserveCompositeRequest;
import org.eclipse.leshan.core.request.ReadCompositeRequest;
import org.eclipse.leshan.core.request.WriteCompositeRequest;
import org.eclipse.leshan.core.request.CreateRequest;
import org.eclipse.leshan.core.request.ExecuteRequest;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.request.WriteAttributesRequest;
import org.eclipse.leshan.core.request.WriteRequest;
import org.junit.jupiter.api.Test;

class RequestBuilderTest {
  private static final LwM2mModel MODEL = new StaticModel(ObjectLoader.loadAllDefault());

  private static BuildResult build(String json) {
    Command c = ((ParseResult.Parsed) CommandParser.parse(json.getBytes(StandardCharsets.UTF_8))).command();
    return RequestBuilder.build(c, MODEL);
  }

  @Test
  void read_becomes_a_read_request_on_the_path() {
    BuildResult r = build("{\"msgType\":\"read\",\"data\":{\"path\":\"/3/0/0\"}}");
    assertThat(((BuildResult.Built) r).request()).isInstanceOf(ReadRequest.class);
    assertThat(((ReadRequest) ((BuildResult.Built) r).request()).getPath().toString()).isEqualTo("/3/0/0");
  }

  @Test
  void single_write_takes_its_type_from_the_model_when_absent() {
    BuildResult r = build("{\"msgType\":\"write\",\"data\":{\"path\":\"/3/0/13\",\"value\":1514518800}}");
    WriteRequest w = (WriteRequest) ((BuildResult.Built) r).request();
    assertThat(((LwM2mSingleResource) w.getNode()).getValue()).isEqualTo(new java.util.Date(1514518800L * 1000));
  }

  @Test
  void single_write_with_a_value_of_the_wrong_type_is_invalid() {
    BuildResult r = build("{\"msgType\":\"write\",\"data\":{\"path\":\"/3/0/13\",\"type\":\"Time\",\"value\":\"soon\"}}");
    assertThat(r).isInstanceOf(BuildResult.Invalid.class);
    assertThat(((BuildResult.Invalid) r).code()).isEqualTo("4.00");
  }

  @Test
  void batch_write_on_an_object_instance_is_a_partial_update() {
    BuildResult r = build("{\"msgType\":\"write\",\"data\":{\"basePath\":\"/1/0\",\"content\":["
        + "{\"path\":\"/1/0/1\",\"type\":\"Integer\",\"value\":300},{\"path\":\"2\",\"value\":\"5\"}]}}");
    WriteRequest w = (WriteRequest) ((BuildResult.Built) r).request();
    assertThat(w.isPartialUpdateRequest()).isTrue();
    assertThat(w.getPath().toString()).isEqualTo("/1/0");
  }

  @Test
  void write_attr_collects_the_notification_attributes() {
    BuildResult r = build("{\"msgType\":\"write-attr\",\"data\":{\"path\":\"/3/0/9\",\"pmin\":\"1\",\"pmax\":\"5\",\"gt\":\"2.5\"}}");
    WriteAttributesRequest w = (WriteAttributesRequest) ((BuildResult.Built) r).request();
    assertThat(w.getAttributes().getLwM2mAttributes()).hasSize(3);
  }

  @Test
  void write_attr_without_attributes_is_invalid() {
    assertThat(build("{\"msgType\":\"write-attr\",\"data\":{\"path\":\"/3/0/9\"}}")).isInstanceOf(BuildResult.Invalid.class);
  }

  @Test
  void execute_passes_its_arguments() {
    BuildResult r = build("{\"msgType\":\"execute\",\"data\":{\"path\":\"/3/0/4\",\"args\":\"0='x'\"}}");
    assertThat(((ExecuteRequest) ((BuildResult.Built) r).request()).getArguments().isEmpty()).isFalse();
  }

  @Test
  void execute_on_an_object_instance_is_invalid() {
    assertThat(build("{\"msgType\":\"execute\",\"data\":{\"path\":\"/3/0\"}}")).isInstanceOf(BuildResult.Invalid.class);
  }

  @Test
  void create_with_instance_ids_in_the_content_paths_creates_those_instances() {
    BuildResult r = build("{\"msgType\":\"create\",\"data\":{\"basePath\":\"/1\",\"content\":["
        + "{\"path\":\"/1/3/0\",\"value\":7},{\"path\":\"/1/3/1\",\"value\":60}]}}");
    CreateRequest c = (CreateRequest) ((BuildResult.Built) r).request();
    assertThat(c.getObjectInstances()).hasSize(1);
    assertThat(c.getObjectInstances().get(0).getId()).isEqualTo(3);
  }

  @Test
  void delete_of_a_resource_is_invalid() {
    assertThat(build("{\"msgType\":\"delete\",\"data\":{\"path\":\"/3/0/1\"}}")).isInstanceOf(BuildResult.Invalid.class);
  }

  @Test
  void an_object_without_a_model_is_still_read_from_the_device() {
    BuildResult r = build("{\"msgType\":\"read\",\"data\":{\"path\":\"/4242/0\"}}");
    assertThat(((ReadRequest) ((BuildResult.Built) r).request()).getPath().toString()).isEqualTo("/4242/0");
  }

  @Test
  void a_write_to_an_object_without_a_model_needs_a_type_per_value() {
    BuildResult typed = build("{\"msgType\":\"write\",\"data\":{\"path\":\"/4242/0/1\",\"type\":\"Integer\",\"value\":5}}");
    WriteRequest w = (WriteRequest) ((BuildResult.Built) typed).request();
    assertThat(((LwM2mSingleResource) w.getNode()).getValue()).isEqualTo(5L);
    BuildResult untyped = build("{\"msgType\":\"write\",\"data\":{\"path\":\"/4242/0/1\",\"value\":5}}");
    assertThat(((BuildResult.Invalid) untyped).code()).isEqualTo("4.00");
    assertThat(((BuildResult.Invalid) untyped).reason()).contains("object 4242 has no model").contains("\"type\"");
  }

  @Test
  void garbage_path_is_invalid() {
    assertThat(build("{\"msgType\":\"read\",\"data\":{\"path\":\"/a/b\"}}")).isInstanceOf(BuildResult.Invalid.class);
  }

  @Test
  void cancel_observe_is_left_to_the_endpoint() {
    assertThat(build("{\"msgType\":\"cancel-observe\",\"data\":{\"path\":\"/3/0/9\"}}"))
        .isEqualTo(new BuildResult.CancelObserve("/3/0/9"));
  }

  private static BuildResult build(String json, ClientProfile device) {
    Command c = ((ParseResult.Parsed) CommandParser.parse(json.getBytes(StandardCharsets.UTF_8))).command();
    return RequestBuilder.build(c, MODEL, device);
  }

  @Test
  void read_composite_defaults_to_senml_cbor_and_honours_contentFormat() {
    ReadCompositeRequest cbor = (ReadCompositeRequest) ((BuildResult.Built) build(
        "{\"msgType\":\"read-composite\",\"data\":{\"paths\":[\"/3/0/0\",\"/1/0\"]}}")).request();
    assertThat(cbor.getResponseContentFormat()).isEqualTo(ContentFormat.SENML_CBOR);
    assertThat(cbor.getPaths()).extracting(Object::toString).containsExactly("/3/0/0", "/1/0");
    ReadCompositeRequest json = (ReadCompositeRequest) ((BuildResult.Built) build(
        "{\"msgType\":\"read-composite\",\"data\":{\"paths\":[\"/3/0/0\"],\"contentFormat\":\"senml-json\"}}")).request();
    assertThat(json.getRequestContentFormat()).isEqualTo(ContentFormat.SENML_JSON);
    assertThat(json.getResponseContentFormat()).isEqualTo(ContentFormat.SENML_JSON);
  }

  @Test
  void composite_picks_senml_json_for_a_device_that_names_only_that() {
    ObserveCompositeRequest o = (ObserveCompositeRequest) ((BuildResult.Built) build(
        "{\"msgType\":\"observe-composite\",\"data\":{\"paths\":[\"/3/0/0\"]}}",
        new ClientProfile(LwM2mVersion.V1_1, Set.of(ContentFormat.SENML_JSON, ContentFormat.TLV)))).request();
    assertThat(o.getResponseContentFormat()).isEqualTo(ContentFormat.SENML_JSON);
  }

  @Test
  void composite_to_a_lwm2m_1_0_device_is_refused_with_4_05() {
    BuildResult r = build("{\"msgType\":\"read-composite\",\"data\":{\"paths\":[\"/3/0/0\"]}}",
        new ClientProfile(LwM2mVersion.V1_0, Set.of()));
    assertThat(((BuildResult.Invalid) r).code()).isEqualTo("4.05");
    assertThat(((BuildResult.Invalid) r).reason()).contains("LwM2M 1.1");
  }

  @Test
  void composite_in_tlv_is_invalid_but_an_object_without_a_model_is_sent() {
    assertThat(((BuildResult.Invalid) build("{\"msgType\":\"read-composite\",\"data\":{\"paths\":[\"/3/0/0\"],"
        + "\"contentFormat\":\"tlv\"}}")).reason()).contains("senml");
    assertThat(((BuildResult.Built) build("{\"msgType\":\"read-composite\",\"data\":{\"paths\":[\"/4242/0\"]}}"))
        .request()).isInstanceOf(ReadCompositeRequest.class);
  }

  @Test
  void write_composite_types_values_from_the_model() {
    WriteCompositeRequest w = (WriteCompositeRequest) ((BuildResult.Built) build("{\"msgType\":\"write-composite\","
        + "\"data\":{\"content\":[{\"path\":\"/1/0/1\",\"value\":\"300\"},{\"path\":\"/3/0/15\",\"value\":\"UTC\"}]}}"))
        .request();
    assertThat(((LwM2mSingleResource) w.getNodes().get(new LwM2mPath("/1/0/1"))).getValue()).isEqualTo(300L);
    assertThat(((LwM2mSingleResource) w.getNodes().get(new LwM2mPath("/3/0/15"))).getValue()).isEqualTo("UTC");
    assertThat(build("{\"msgType\":\"write-composite\",\"data\":{\"content\":[{\"path\":\"/1/0\",\"value\":1}]}}"))
        .isInstanceOf(BuildResult.Invalid.class);
  }

  @Test
  void a_device_without_tlv_gets_senml_writes_and_reads() {
    ClientProfile senml = new ClientProfile(LwM2mVersion.V1_1, Set.of(ContentFormat.SENML_CBOR, ContentFormat.LINK));
    WriteRequest w = (WriteRequest) ((BuildResult.Built) build(
        "{\"msgType\":\"write\",\"data\":{\"path\":\"/3/0/15\",\"value\":\"UTC\"}}", senml)).request();
    assertThat(w.getContentFormat()).isEqualTo(ContentFormat.SENML_CBOR);
    ReadRequest r = (ReadRequest) ((BuildResult.Built) build("{\"msgType\":\"read\",\"data\":{\"path\":\"/3/0\"}}", senml))
        .request();
    assertThat(r.getContentFormat()).isEqualTo(ContentFormat.SENML_CBOR);
    ReadRequest plain = (ReadRequest) ((BuildResult.Built) build("{\"msgType\":\"read\",\"data\":{\"path\":\"/3/0\"}}"))
        .request();
    assertThat(plain.getContentFormat()).isNull();
  }
}
