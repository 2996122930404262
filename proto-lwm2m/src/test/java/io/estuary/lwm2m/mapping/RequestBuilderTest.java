package io.estuary.lwm2m.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.eclipse.leshan.core.model.LwM2mModel;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.StaticModel;
import org.eclipse.leshan.core.node.LwM2mSingleResource;
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
  void unknown_object_is_invalid_with_a_reason() {
    BuildResult r = build("{\"msgType\":\"read\",\"data\":{\"path\":\"/4242/0\"}}");
    assertThat(((BuildResult.Invalid) r).reason()).contains("unknown object 4242");
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
}
