package io.estuary.core.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.Delivery;
import io.estuary.api.DeliveryId;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.Subscription;
import io.estuary.api.TopicFilter;
import java.util.List;
import org.junit.jupiter.api.Test;

class RemountTest {

  @Test
  void the_same_mountpoint_needs_no_remount() {
    assertThat(Remount.of("site/", "site/")).isNull();
    assertThat(Remount.of("site/", null)).isNull();
  }

  @Test
  void topics_move_from_the_listeners_mountpoint_to_the_plugins_and_back() {
    Remount r = Remount.of("site/", "tenant/");
    assertThat(r.topicIn("site/a/b")).isEqualTo("tenant/a/b");
    assertThat(r.in(Message.of("site/x", Payload.utf8("p"), 1, false)).topic()).isEqualTo("tenant/x");
    Delivery d = new Delivery(new DeliveryId(1), Message.of("tenant/cmd", Payload.utf8("on"), 0, false), false, false, null);
    assertThat(r.out(d).message().topic()).isEqualTo("site/cmd");
    assertThat(r.out(d).id()).isEqualTo(d.id());
  }

  @Test
  void filters_move_too_and_a_shared_subscription_keeps_its_group() {
    Remount r = Remount.of("", "tenant/");
    assertThat(r.in(List.of(Subscription.of("a/+", 1))).get(0).filter().value()).isEqualTo("tenant/a/+");
    assertThat(r.in(new TopicFilter("$share/g/a/#")).value()).isEqualTo("$share/g/tenant/a/#");
    assertThat(r.filtersIn(List.of(new TopicFilter("#"))).get(0).value()).isEqualTo("tenant/#");
  }

  @Test
  void an_empty_plugin_mountpoint_takes_the_listeners_off() {
    Remount r = Remount.of("site/", "");
    assertThat(r.topicIn("site/a")).isEqualTo("a");
    Delivery d = new Delivery(new DeliveryId(2), Message.of("a", Payload.utf8(""), 0, false), false, false, null);
    assertThat(r.out(d).message().topic()).isEqualTo("site/a");
  }
}
