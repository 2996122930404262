package io.estuary.uplink.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.DeliveryId;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardWindowTest {
  final ForwardWindow w = new ForwardWindow(4);

  ForwardWindow.Entry add(int i) {
    return w.add(new DeliveryId(i), 1, Message.of("t/" + i, Payload.EMPTY, 1, false));
  }

  static List<Long> seqs(List<ForwardWindow.Entry> es) {
    return es.stream().map(ForwardWindow.Entry::seq).toList();
  }

  @Test
  void nothing_is_sent_and_no_credit_given_while_down() {
    add(1);
    assertThat(w.takeSendable(10)).isEmpty();
    assertThat(w.room()).isZero();
    w.up();
    assertThat(seqs(w.takeSendable(10))).containsExactly(1L);
    assertThat(w.room()).isEqualTo(3);
  }

  @Test
  void sends_in_order_within_the_budget() {
    w.up();
    add(1);
    add(2);
    add(3);
    assertThat(seqs(w.takeSendable(2))).containsExactly(1L, 2L);
    assertThat(seqs(w.takeSendable(2))).containsExactly(3L);
  }

  @Test
  void after_a_reconnect_old_sends_resolve_before_failed_ones_are_resent_in_order() {
    w.up();
    ForwardWindow.Entry a = add(1);
    ForwardWindow.Entry b = add(2);
    ForwardWindow.Entry c = add(3);
    w.takeSendable(10);
    int old = w.epoch();
    w.down();
    add(4);
    w.up();
    assertThat(w.takeSendable(10)).as("epoch %d unresolved", old).isEmpty();
    w.failed(a.seq(), old);
    w.done(b.seq());
    assertThat(w.takeSendable(10)).as("c is still unresolved").isEmpty();
    w.failed(c.seq(), old);
    assertThat(seqs(w.takeSendable(10))).containsExactly(1L, 3L, 4L);
  }

  @Test
  void a_failure_in_the_current_epoch_stops_sending_until_the_next_connection() {
    w.up();
    ForwardWindow.Entry a = add(1);
    w.takeSendable(10);
    w.failed(a.seq(), w.epoch());
    add(2);
    assertThat(w.takeSendable(10)).isEmpty();
    assertThat(w.room()).isZero();
    w.up();
    assertThat(seqs(w.takeSendable(10))).containsExactly(1L, 2L);
  }

  @Test
  void stale_failures_of_older_epochs_are_ignored_once_resent() {
    w.up();
    ForwardWindow.Entry a = add(1);
    w.takeSendable(10);
    int first = w.epoch();
    w.failed(a.seq(), first);
    w.up();
    w.takeSendable(10);
    w.failed(a.seq(), first); // a late duplicate report
    assertThat(w.hasUnsent()).isFalse();
    assertThat(w.done(a.seq())).isSameAs(a);
    assertThat(w.size()).isZero();
  }
}
