package io.estuary.lwm2m.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CommandParserTest {
  private static ParseResult parse(String s) {
    return CommandParser.parse(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void read_command_is_parsed_with_its_path() {
    ParseResult r = parse("{\"reqID\":7,\"msgType\":\"read\",\"data\":{\"path\":\"/3/0/0\"}}");
    assertThat(r).isInstanceOf(ParseResult.Parsed.class);
    Command c = ((ParseResult.Parsed) r).command();
    assertThat(c.type()).isEqualTo(CommandType.READ);
    assertThat(c.reqPath()).isEqualTo("/3/0/0");
    assertThat(c.envelope().get("reqID").asInt()).isEqualTo(7);
  }

  @Test
  void query_is_removed_from_the_request_path() {
    Command c = ((ParseResult.Parsed) parse("{\"msgType\":\"read\",\"data\":{\"path\":\"/3/0?x=1\"}}")).command();
    assertThat(c.reqPath()).isEqualTo("/3/0");
  }

  @Test
  void a_path_is_taken_in_leshan_s_form_and_a_non_path_is_only_trimmed() {
    for (String spelled : new String[] {"/3/0/0", " /3/0/0 ", "3/0/0", "/3/0/0/", "/3/0/0?pmin=1"}) {
      assertThat(((ParseResult.Parsed) parse("{\"msgType\":\"observe\",\"data\":{\"path\":\"" + spelled + "\"}}"))
          .command().reqPath()).as(spelled).isEqualTo("/3/0/0");
    }
    assertThat(CommandParser.canonical(" /x/y ")).isEqualTo("/x/y");
    assertThat(CommandParser.canonical("/")).isEqualTo("/");
  }

  @Test
  void write_with_base_path_uses_the_base_path() {
    Command c = ((ParseResult.Parsed) parse("{\"msgType\":\"write\",\"data\":{\"basePath\":\"/3/0\",\"content\":[]}}")).command();
    assertThat(c.reqPath()).isEqualTo("/3/0");
  }

  @Test
  void malformed_json_is_rejected_with_a_reason() {
    ParseResult r = parse("{nope");
    assertThat(r).isInstanceOf(ParseResult.Rejected.class);
    assertThat(((ParseResult.Rejected) r).reason()).startsWith("malformed JSON");
  }

  @Test
  void a_json_array_is_rejected() {
    assertThat(parse("[1,2]")).isInstanceOf(ParseResult.Rejected.class);
  }

  @Test
  void unknown_msg_type_is_rejected_and_keeps_the_req_id() {
    ParseResult.Rejected r = (ParseResult.Rejected) parse("{\"reqID\":3,\"msgType\":\"fly\",\"data\":{}}");
    assertThat(r.reason()).contains("unknown msgType 'fly'");
    assertThat(r.envelope().get("reqID").asInt()).isEqualTo(3);
  }

  @Test
  void missing_data_is_rejected() {
    assertThat(parse("{\"msgType\":\"read\"}")).isInstanceOf(ParseResult.Rejected.class);
  }

  @Test
  void missing_path_is_rejected() {
    assertThat(((ParseResult.Rejected) parse("{\"msgType\":\"read\",\"data\":{}}")).reason()).contains("data.path");
  }

  @Test
  void empty_payload_is_rejected() {
    assertThat(parse("")).isInstanceOf(ParseResult.Rejected.class);
  }

  @Test
  void composite_paths_keep_their_order_and_share_a_key_with_any_other_order() {
    Command a = ((ParseResult.Parsed) parse("{\"msgType\":\"read-composite\",\"data\":{\"paths\":[\"/3/0/9\",\"/3/0/0\"]}}")).command();
    Command b = ((ParseResult.Parsed) parse("{\"msgType\":\"observe-composite\",\"data\":{\"paths\":[\"/3/0/0\",\"/3/0/9\"]}}")).command();
    assertThat(a.type()).isEqualTo(CommandType.READ_COMPOSITE);
    assertThat(a.reqPaths()).containsExactly("/3/0/9", "/3/0/0");
    assertThat(a.reqPath()).isEqualTo(b.reqPath()).isEqualTo("/3/0/0,/3/0/9");
  }

  @Test
  void write_composite_takes_its_paths_from_the_content() {
    Command c = ((ParseResult.Parsed) parse("{\"msgType\":\"write-composite\",\"data\":{\"content\":["
        + "{\"path\":\"/1/0/2\",\"value\":1},{\"path\":\"/3/0/15\",\"value\":\"UTC\"}]}}")).command();
    assertThat(c.reqPaths()).containsExactly("/1/0/2", "/3/0/15");
  }

  @Test
  void composite_without_paths_is_rejected() {
    assertThat(((ParseResult.Rejected) parse("{\"msgType\":\"read-composite\",\"data\":{\"path\":\"/3/0/0\"}}")).reason())
        .contains("data.paths");
    assertThat(((ParseResult.Rejected) parse("{\"msgType\":\"read-composite\",\"data\":{\"paths\":[1]}}")).reason())
        .contains("data.paths");
    assertThat(((ParseResult.Rejected) parse("{\"msgType\":\"write-composite\",\"data\":{\"content\":[{\"value\":1}]}}")).reason())
        .contains("path");
  }
}
