package io.estuary.api.topic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MountpointTest {
  private final Mountpoint mp = Mountpoint.of("site1/");

  @Test
  void a_topic_gets_the_prefix_and_a_delivered_topic_loses_it() {
    assertThat(mp.mountTopic("a/b")).isEqualTo("site1/a/b");
    assertThat(mp.unmount("site1/a/b")).isEqualTo("a/b");
    assertThat(mp.unmount("other/a/b")).as("not under the mountpoint: unchanged").isEqualTo("other/a/b");
  }

  @Test
  void a_shared_filter_keeps_its_share_prefix_in_front() {
    assertThat(mp.mountFilter("$share/g/a/+")).isEqualTo("$share/g/site1/a/+");
    assertThat(mp.mountFilter("a/#")).isEqualTo("site1/a/#");
  }

  @Test
  void a_malformed_share_is_left_for_the_broker_to_refuse() {
    assertThat(mp.mountFilter("$share/g")).isEqualTo("$share/g");
  }

  @Test
  void the_client_id_placeholder_is_replaced_and_an_empty_mountpoint_changes_nothing() {
    assertThat(Mountpoint.of("dev/${clientid}/", "c1").mountTopic("t")).isEqualTo("dev/c1/t");
    assertThat(Mountpoint.of("", "c1")).isSameAs(Mountpoint.NONE);
    assertThat(Mountpoint.NONE.mountFilter("$share/g/a")).isEqualTo("$share/g/a");
    assertThat(Mountpoint.NONE.unmount("a")).isEqualTo("a");
  }
}
