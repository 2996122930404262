package io.estuary.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class CtlTableTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void a_page_becomes_aligned_columns_a_header_and_the_page_line() throws Exception {
    String out = CtlTable.render(JSON.readTree("""
        {"data":[{"clientid":"a","qos":1,"x":"hidden"},{"clientid":"long-id","qos":null}],
         "meta":{"page":1,"limit":2,"count":3,"hasnext":true}}"""), List.of("clientid", "qos"));
    assertThat(out.lines().toList()).containsExactly(
        "clientid  qos",
        "a         1",
        "long-id   -",
        "page 1, 2 per page, 3 in all (--page 2 for more)");
  }

  @Test
  void one_object_becomes_key_value_lines_limited_to_the_chosen_keys() throws Exception {
    String out = CtlTable.render(JSON.readTree("{\"retained.count\":4,\"sessions.count\":9}"), List.of("retained.count"));
    assertThat(out).isEqualTo("retained.count : 4" + System.lineSeparator());
    assertThat(CtlTable.render(JSON.readTree("[{\"node\":\"n\",\"a\":1}]"), null)).contains("node : n").contains("a    : 1");
  }

  @Test
  void an_empty_list_says_none() throws Exception {
    assertThat(CtlTable.render(JSON.readTree("[]"), List.of("name"))).startsWith("(none)");
  }
}
