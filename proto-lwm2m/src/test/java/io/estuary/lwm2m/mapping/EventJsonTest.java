package io.estuary.lwm2m.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.link.Link;
import org.eclipse.leshan.core.node.LwM2mMultipleResource;
import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.node.LwM2mSingleResource;
import org.eclipse.leshan.core.response.ReadCompositeResponse;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.core.response.WriteResponse;
import org.junit.jupiter.api.Test;

class EventJsonTest {
  private static Command cmd(String json) {
    return ((ParseResult.Parsed) CommandParser.parse(json.getBytes(StandardCharsets.UTF_8))).command();
  }

  private static JsonNode tree(byte[] b) throws Exception {
    return CommandParser.JSON.readTree(b);
  }

  @Test
  void read_response_echoes_req_id_and_flattens_content() throws Exception {
    Command c = cmd("{\"reqID\":5,\"msgType\":\"read\",\"data\":{\"path\":\"/3/0\"}}");
    LwM2mObjectInstance inst = new LwM2mObjectInstance(0, LwM2mSingleResource.newStringResource(0, "ACME"),
        LwM2mMultipleResource.newIntegerResource(7, Map.of(0, 3800L, 1, 5000L)));
    JsonNode j = tree(EventJson.response(c, ReadResponse.success(inst)));
    assertThat(j.get("reqID").asInt()).isEqualTo(5);
    assertThat(j.get("msgType").asText()).isEqualTo("read");
    assertThat(j.at("/data/reqPath").asText()).isEqualTo("/3/0");
    assertThat(j.at("/data/code").asText()).isEqualTo("2.05");
    assertThat(j.at("/data/codeMsg").asText()).isEqualTo("content");
    assertThat(j.at("/data/content").toString()).isEqualTo(
        "[{\"path\":\"/3/0/0\",\"value\":\"ACME\"},{\"path\":\"/3/0/7/0\",\"value\":3800},{\"path\":\"/3/0/7/1\",\"value\":5000}]");
  }

  @Test
  void error_response_has_code_and_no_content() throws Exception {
    JsonNode j = tree(EventJson.response(cmd("{\"reqID\":1,\"msgType\":\"write\",\"data\":{\"path\":\"/3/0/1\"}}"),
        WriteResponse.methodNotAllowed()));
    assertThat(j.at("/data/code").asText()).isEqualTo("4.05");
    assertThat(j.at("/data/codeMsg").asText()).isEqualTo("method_not_allowed");
    assertThat(j.at("/data").has("content")).isFalse();
  }

  @Test
  void timeout_turns_msg_type_into_coap_timeout() throws Exception {
    JsonNode j = tree(EventJson.timeout(cmd("{\"reqID\":2,\"msgType\":\"read\",\"data\":{\"path\":\"/3/0/1\"}}")));
    assertThat(j.get("msgType").asText()).isEqualTo("coap_timeout");
    assertThat(j.get("reqID").asInt()).isEqualTo(2);
    assertThat(j.at("/data/path").asText()).isEqualTo("/3/0/1");
  }

  @Test
  void notify_carries_seq_num_and_req_id() throws Exception {
    JsonNode j = tree(EventJson.notify(CommandParser.JSON.getNodeFactory().numberNode(9), "/3/0/9", 4,
        new LwM2mPath("/3/0/9"), LwM2mSingleResource.newIntegerResource(9, 80)));
    assertThat(j.get("msgType").asText()).isEqualTo("notify");
    assertThat(j.get("seqNum").asLong()).isEqualTo(4);
    assertThat(j.get("reqID").asInt()).isEqualTo(9);
    assertThat(j.at("/data/content/0/value").asLong()).isEqualTo(80);
  }

  @Test
  void object_list_drops_the_alternate_path_and_the_root_link() {
    Link[] links = {new Link("/lwm2m"), new Link("/lwm2m/1/0"), new Link("/lwm2m/3/0")};
    assertThat(EventJson.objectList("/lwm2m", links).toString()).isEqualTo("[\"/1/0\",\"/3/0\"]");
  }

  @Test
  void codes_are_spelled_like_emqx() {
    assertThat(CoapCodes.code(ResponseCode.CHANGED)).isEqualTo("2.04");
    assertThat(CoapCodes.codeMsg(ResponseCode.NOT_FOUND)).isEqualTo("not_found");
    assertThat(CoapCodes.codeMsg(new ResponseCode(503))).isEqualTo("service_unavailable");
  }

  @Test
  void read_composite_response_lists_req_paths_and_skips_paths_the_device_lacks() throws Exception {
    Command c = cmd("{\"reqID\":8,\"msgType\":\"read-composite\",\"data\":{\"paths\":[\"/3/0/0\",\"/3/0/99\",\"/1/0\"]}}");
    Map<LwM2mPath, org.eclipse.leshan.core.node.LwM2mNode> nodes = new java.util.LinkedHashMap<>();
    nodes.put(new LwM2mPath("/3/0/0"), LwM2mSingleResource.newStringResource(0, "ACME"));
    nodes.put(new LwM2mPath("/3/0/99"), null);
    nodes.put(new LwM2mPath("/1/0"), new LwM2mObjectInstance(0, LwM2mSingleResource.newIntegerResource(1, 300)));
    JsonNode j = tree(EventJson.response(c, ReadCompositeResponse.success(nodes)));
    assertThat(j.get("msgType").asText()).isEqualTo("read-composite");
    assertThat(j.at("/data/reqPaths").toString()).isEqualTo("[\"/3/0/0\",\"/3/0/99\",\"/1/0\"]");
    assertThat(j.at("/data").has("reqPath")).isFalse();
    assertThat(j.at("/data/content").toString()).isEqualTo(
        "[{\"path\":\"/3/0/0\",\"value\":\"ACME\"},{\"path\":\"/1/0/1\",\"value\":300}]");
  }

  @Test
  void composite_notification_carries_req_id_seq_num_and_req_paths() throws Exception {
    JsonNode j = tree(EventJson.notifyComposite(CommandParser.JSON.getNodeFactory().numberNode(3),
        java.util.List.of("/3/0/0", "/1/0/1"), 2, Map.of(new LwM2mPath("/1/0/1"), LwM2mSingleResource.newIntegerResource(1, 60))));
    assertThat(j.get("reqID").asInt()).isEqualTo(3);
    assertThat(j.get("msgType").asText()).isEqualTo("notify");
    assertThat(j.get("seqNum").asLong()).isEqualTo(2);
    assertThat(j.at("/data/reqPaths").toString()).isEqualTo("[\"/3/0/0\",\"/1/0/1\"]");
    assertThat(j.at("/data/content").toString()).isEqualTo("[{\"path\":\"/1/0/1\",\"value\":60}]");
  }
}
