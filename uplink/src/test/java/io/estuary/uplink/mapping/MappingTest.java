package io.estuary.uplink.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.Message;
import io.estuary.api.MessageProperties;
import io.estuary.api.Payload;
import io.estuary.api.UserProperty;
import java.util.List;
import org.junit.jupiter.api.Test;

class MappingTest {
  static final String NODE = "a@host";

  static Message msg(String topic, int qos, boolean retain) {
    return Message.of(topic, Payload.utf8("x"), qos, retain);
  }

  @Test
  void forwards_through_the_first_accepting_rule_with_origin_marker() {
    ForwardMapping m = new ForwardMapping(List.of(
        new ForwardRule("devices/#", List.of("devices/private/#"), TopicTemplate.parse("site1/${topic}"), 1, ForwardRule.RetainMode.CLEAR),
        new ForwardRule("devices/private/#", List.of(), TopicTemplate.parse("vault/${topic}"), null, ForwardRule.RetainMode.KEEP)), NODE);

    Message out = m.toRemote(msg("devices/d1", 0, true));
    assertThat(out.topic()).isEqualTo("site1/devices/d1");
    assertThat(out.qos()).isEqualTo(1);
    assertThat(out.retain()).isFalse();
    assertThat(Origin.of(out.properties())).isEqualTo(NODE);

    Message priv = m.toRemote(msg("devices/private/k", 2, true));
    assertThat(priv.topic()).isEqualTo("vault/devices/private/k");
    assertThat(priv.qos()).as("${qos} keeps the message's QoS").isEqualTo(2);
    assertThat(priv.retain()).isTrue();

    assertThat(m.toRemote(msg("other/t", 1, false))).isNull();
  }

  @Test
  void clientid_in_the_remote_topic_is_the_publisher_and_an_invalid_rendering_is_flagged() {
    ForwardMapping m = new ForwardMapping(List.of(new ForwardRule("devices/#", List.of(),
        TopicTemplate.parse("up/${clientid}/${topic}", true), 1, ForwardRule.RetainMode.KEEP)), NODE);
    assertThat(m.toRemote(msg("devices/t", 1, false).withPublisher("dev-7")).topic()).isEqualTo("up/dev-7/devices/t");
    assertThat(m.toRemote(msg("devices/t", 1, false).withPublisher("dev+7"))).isSameAs(ForwardMapping.INVALID_TOPIC);
    assertThat(m.toRemote(msg("devices/t", 1, false).withPublisher("dev#"))).isSameAs(ForwardMapping.INVALID_TOPIC);
  }

  @Test
  void an_existing_origin_marker_is_kept_across_hops() {
    MessageProperties p = MessageProperties.NONE.withUserProperties(List.of(new UserProperty(Origin.PROPERTY, "first")));
    assertThat(Origin.of(Origin.mark(p, NODE))).isEqualTo("first");
    assertThat(Origin.mark(p, NODE).userProperties()).hasSize(1);
  }

  @Test
  void inbound_drops_own_origin_and_renders_the_local_topic() {
    InboundMapping m = new InboundMapping(List.of(new SubscriptionRule("site1/cmd/#", TopicTemplate.parse("cmd/${topic}"), 1)), NODE);

    assertThat(m.toLocal(msg("site1/cmd/x", 1, false)))
        .isEqualTo(new InboundMapping.Publish(msg("site1/cmd/x", 1, false).withTopic("cmd/site1/cmd/x")));
    Message own = msg("site1/cmd/x", 1, false).withProperties(Origin.mark(MessageProperties.NONE, NODE));
    assertThat(m.toLocal(own)).isInstanceOf(InboundMapping.OwnOrigin.class);
    assertThat(m.toLocal(msg("elsewhere", 1, false))).isInstanceOf(InboundMapping.Unmatched.class);
  }
}
