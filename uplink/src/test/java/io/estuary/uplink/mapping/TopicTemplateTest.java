package io.estuary.uplink.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicTemplateTest {
  @Test
  void renders_topic_and_node() {
    TopicTemplate t = TopicTemplate.parse("site1/${node}/${topic}");
    assertThat(t.render("devices/a", "n1")).isEqualTo("site1/n1/devices/a");
  }

  @Test
  void a_template_without_placeholders_is_a_fixed_topic() {
    assertThat(TopicTemplate.parse("all/here").render("x/y", "n")).isEqualTo("all/here");
  }

  @Test
  void clientid_renders_the_publisher_where_allowed_and_is_refused_elsewhere() {
    TopicTemplate t = TopicTemplate.parse("up/${clientid}/${topic}", true);
    assertThat(t.render("d/t", "n", "dev-1")).isEqualTo("up/dev-1/d/t");
    assertThat(t.render("d/t", "n", null)).as("no publisher (broker-originated)").isEqualTo("up//d/t");
    assertThat(t.asFilter("n")).isEqualTo("up/#");
    assertThatThrownBy(() -> TopicTemplate.parse("up/${clientid}/${topic}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("${clientid}");
  }

  @Test
  void an_unclosed_placeholder_is_refused() {
    assertThatThrownBy(() -> TopicTemplate.parse("up/${topic")).hasMessageContaining("unclosed");
  }

  @Test
  void asFilter_covers_every_rendered_topic() {
    assertThat(TopicTemplate.parse("site1/${topic}").asFilter("n")).isEqualTo("site1/#");
    assertThat(TopicTemplate.parse("${node}/up/${topic}").asFilter("n")).isEqualTo("n/up/#");
    assertThat(TopicTemplate.parse("site1/x${topic}").asFilter("n")).isEqualTo("site1/#");
    assertThat(TopicTemplate.parse("fixed/t").asFilter("n")).isEqualTo("fixed/t");
  }
}
