package io.estuary.coap.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.Message;
import io.estuary.api.topic.Topics;
import java.util.List;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.junit.jupiter.api.Test;

class MappingTest {

  @Test
  void topic_levels_are_percent_decoded_and_joined_under_the_mountpoint() {
    assertThat(TopicPath.topicName(List.of("a", "b%2Fc", "d"), "m/")).isEqualTo(Parsed.ok("m/a/b/c/d"));
  }

  @Test
  void topic_name_with_wildcard_or_no_level_is_rejected() {
    assertThat(TopicPath.topicName(List.of("a", "%23"), "")).isInstanceOf(Parsed.Rejected.class);
    assertThat(TopicPath.topicName(List.of(), "")).isInstanceOf(Parsed.Rejected.class);
    assertThat(TopicPath.topicName(List.of("bad%zz"), "")).isInstanceOf(Parsed.Rejected.class);
  }

  @Test
  void topic_filter_allows_whole_level_wildcards_with_hash_last() {
    assertThat(TopicPath.topicFilter(List.of("a", "+", "#"), "")).isEqualTo(Parsed.ok("a/+/#"));
    assertThat(TopicPath.topicFilter(List.of("a", "#", "b"), "")).isInstanceOf(Parsed.Rejected.class);
    assertThat(TopicPath.topicFilter(List.of("a+"), "")).isInstanceOf(Parsed.Rejected.class);
  }

  @Test
  void query_reads_emqx_parameters_and_rejects_bad_values() {
    Parsed<RequestQuery> ok = RequestQuery.parse(List.of("clientid=c", "token=t", "qos=2", "retain=true", "expiry=9",
        "password=p%40ss", "other=x"));
    RequestQuery q = ((Parsed.Ok<RequestQuery>) ok).value();
    assertThat(q.clientId()).isEqualTo("c");
    assertThat(q.token()).isEqualTo("t");
    assertThat(q.qos()).isEqualTo(2);
    assertThat(q.retain()).isTrue();
    assertThat(q.expiry()).isEqualTo(9L);
    assertThat(new String(q.password())).isEqualTo("p@ss");
    assertThat(RequestQuery.parse(List.of("qos=3"))).isInstanceOf(Parsed.Rejected.class);
    assertThat(RequestQuery.parse(List.of("retain=yes"))).isInstanceOf(Parsed.Rejected.class);
    assertThat(RequestQuery.parse(List.of("expiry=-1"))).isInstanceOf(Parsed.Rejected.class);
    assertThat(((Parsed.Rejected<RequestQuery>) RequestQuery.parse(List.of("qos=x"))).code())
        .isEqualTo(ResponseCode.BAD_REQUEST);
  }

  @Test
  void content_format_and_content_type_round_trip() {
    assertThat(ContentFormats.toContentType(MediaTypeRegistry.APPLICATION_JSON)).isEqualTo("application/json");
    assertThat(ContentFormats.toContentFormat("application/json")).isEqualTo(MediaTypeRegistry.APPLICATION_JSON);
    assertThat(ContentFormats.toContentFormat("text/plain;charset=utf-8")).isEqualTo(MediaTypeRegistry.TEXT_PLAIN);
    assertThat(ContentFormats.toContentFormat(ContentFormats.toContentType(65000))).isEqualTo(65000);
    assertThat(ContentFormats.toContentType(-1)).isNull();
    assertThat(ContentFormats.toContentFormat("image/x-nothing")).isEqualTo(-1);
  }

  @Test
  void topic_filters_match_as_mqtt_does() {
    assertThat(Topics.matchesSubscription("a/+/c", "a/b/c")).isTrue();
    assertThat(Topics.matchesSubscription("a/#", "a")).isTrue();
    assertThat(Topics.matchesSubscription("a/+", "a/b/c")).isFalse();
    assertThat(Topics.matchesSubscription("#", "$SYS/x")).isFalse();
    assertThat(Topics.matchesSubscription("$share/g/a/+", "a/b")).isTrue();
    assertThat(TopicPath.topicFilter(List.of("$share", "g", "a", "+"), "m/"))
        .as("a shared filter keeps its share prefix in front of the mountpoint").isEqualTo(Parsed.ok("$share/g/m/a/+"));
  }

  @Test
  void publish_qos_comes_from_query_then_policy() {
    Message con = ((Parsed.Ok<Message>) PublishRequest.toMessage(List.of("t"), RequestQuery.EMPTY, new byte[] {1}, -1,
        true, QosPolicy.COAP, "", 5)).value();
    assertThat(con.qos()).isEqualTo(1);
    assertThat(QosPolicy.COAP.qos(false)).isZero();
    assertThat(QosPolicy.QOS2.qos(false)).isEqualTo(2);
    assertThat(NotifyType.QOS.confirmable(0)).isFalse();
    assertThat(NotifyType.QOS.confirmable(1)).isTrue();
    assertThat(NotifyType.CON.confirmable(0)).isTrue();
  }
}
