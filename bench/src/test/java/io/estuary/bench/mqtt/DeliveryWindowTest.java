package io.estuary.bench.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeliveryWindowTest {

  @Test
  void slowest_is_the_receiver_furthest_behind_and_never_goes_back() {
    DeliveryWindow w = new DeliveryWindow(3);
    w.delivered(0, 9);
    w.delivered(1, 4);
    assertThat(w.slowest()).isZero(); // receiver 2 has nothing yet

    w.delivered(2, 6);
    w.delivered(1, 2); // a late duplicate does not move it back
    assertThat(w.slowest()).isEqualTo(5);
  }

  @Test
  void fan_out_gives_each_subscriber_its_own_slot_in_the_one_publisher_window() {
    DeliveryWindow.Plan plan = DeliveryWindow.Plan.of(Topology.FAN_OUT, 1, 3);

    assertThat(plan.windows()).hasSize(1);
    assertThat(plan.slots()[0]).containsExactly(0);
    assertThat(plan.slots()[2]).containsExactly(2);
  }

  @Test
  void pairs_leave_a_subscriber_without_slots_for_other_publishers() {
    DeliveryWindow.Plan plan = DeliveryWindow.Plan.of(Topology.PAIRS, 2, 2);

    assertThat(plan.slots()[0]).containsExactly(0, -1);
    assertThat(plan.slots()[1]).containsExactly(-1, 0);
  }
}
