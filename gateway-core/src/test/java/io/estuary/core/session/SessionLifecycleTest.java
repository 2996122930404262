package io.estuary.core.session;

import static io.estuary.core.session.BrokerFixture.clean;
import static io.estuary.core.session.BrokerFixture.persistent;
import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.CloseReason;
import io.estuary.api.Delivery;
import io.estuary.core.session.BrokerFixture.Device;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Attach, take-over, clean start, close and expiry of a session. */
class SessionLifecycleTest {
  private final BrokerFixture f = new BrokerFixture();

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void take_over_closes_the_old_sink_with_TAKEN_OVER() {
    Device first = f.open("dev", persistent());
    Device second = f.open("dev", persistent());
    assertThat(first.sink.closed).containsExactly(CloseReason.TAKEN_OVER);
    assertThat(second.sink.closed).isEmpty();
    assertThat(second.session.sessionPresent()).isTrue();
    assertThat(f.broker.connectedCount()).isEqualTo(1);
  }

  @Test
  void calls_on_the_handle_of_a_taken_over_connection_are_ignored() {
    Device sub = f.open("sub", persistent()).subscribe("t/#", 1);
    Device pub = f.open("pub", clean());
    f.publish(pub, "t/a", "one", 1);
    Device taker = f.open("sub", persistent());
    Delivery resent = taker.sink.delivered.get(0);
    sub.session.acknowledge(resent.id()); // the old connection's late PUBACK
    sub.session.close(CloseReason.NORMAL);
    f.settle();
    assertThat(f.broker.sessionView("sub").inflight()).isEqualTo(1);
    assertThat(f.broker.sessionView("sub").state()).isEqualTo("connected");
  }

  @Test
  void a_stale_handles_unsubscribe_leaves_the_next_connections_subscriptions_alone() {
    Device old = f.open("sub", persistent()).subscribe("t/#", 1);
    f.open("sub", persistent());
    var stage = old.session.unsubscribe(java.util.List.of(new io.estuary.api.TopicFilter("t/#"))).toCompletableFuture();
    f.settle();
    assertThat(stage).isCompletedExceptionally();
    assertThat(f.broker.sessionView("sub").subscriptions()).isEqualTo(1);
  }

  @Test
  void clean_start_discards_the_previous_session_state() {
    Device sub = f.open("sub", persistent()).subscribe("t/#", 1);
    sub.close(CloseReason.NORMAL);
    Device pub = f.open("pub", clean());
    f.publish(pub, "t/a", "queued", 1);
    Device fresh = f.open("sub", clean());
    assertThat(fresh.session.sessionPresent()).isFalse();
    assertThat(fresh.sink.delivered).isEmpty();
    assertThat(f.broker.sessionView("sub").subscriptions()).isZero();
    assertThat(f.broker.subscriptionCount()).isZero();
  }

  @Test
  void discard_deletes_a_persistent_session_at_once_without_its_will_and_it_does_not_come_back_at_restart() {
    BrokerFixture own = new BrokerFixture(); // restarted below (the restart closes it)
    Device watcher = own.open("watcher", persistent()).subscribe("will/#", 0);
    Device d = own.open("dev", persistent().will(BrokerFixture.message("will/dev", "gone", 0)));
    d.session.discard();
    own.settle();
    assertThat(own.broker.sessionView("dev")).isNull();
    assertThat(watcher.sink.delivered).isEmpty();
    assertThat(d.sink.closed).isEmpty(); // the adapter asked for it: its sink is not told
    BrokerFixture again = own.restart("");
    try {
      assertThat(again.broker.sessionView("dev")).isNull();
      assertThat(again.broker.sessionView("watcher")).isNotNull(); // the store kept the other session
    } finally {
      again.close();
    }
  }

  @Test
  void discard_on_a_taken_over_handle_changes_nothing() {
    Device first = f.open("dev", persistent());
    Device second = f.open("dev", persistent());
    first.session.discard();
    f.settle();
    assertThat(f.broker.sessionView("dev").state()).isEqualTo("connected");
    assertThat(second.sink.closed).isEmpty();
  }

  @Test
  void a_non_persistent_session_ends_with_its_connection() {
    Device d = f.open("dev", clean()).subscribe("t/#", 0);
    d.close(CloseReason.NORMAL);
    assertThat(f.broker.sessionView("dev")).isNull();
    assertThat(f.broker.subscriptionCount()).isZero();
  }

  @Test
  void a_persistent_session_expires_after_its_expiry_interval_and_is_removed() {
    Device d = f.open("dev", persistent().sessionExpiry(Duration.ofSeconds(60))).subscribe("t/#", 1);
    d.close(CloseReason.NORMAL);
    f.advance(Duration.ofSeconds(59));
    assertThat(f.broker.sessionView("dev")).isNotNull();
    f.advance(Duration.ofSeconds(1));
    assertThat(f.broker.sessionView("dev")).isNull();
    assertThat(f.store.loadMessages("dev")).isEmpty();
    assertThat(f.broker.subscriptionCount()).isZero();
  }

  @Test
  void a_reconnect_before_expiry_keeps_the_session_past_the_old_deadline() {
    Device d = f.open("dev", persistent().sessionExpiry(Duration.ofSeconds(60)));
    d.close(CloseReason.NORMAL);
    f.advance(Duration.ofSeconds(30));
    f.open("dev", persistent().sessionExpiry(Duration.ofSeconds(60)));
    f.advance(Duration.ofSeconds(60));
    assertThat(f.broker.sessionView("dev")).isNotNull();
  }

  @Test
  void the_session_expiry_is_capped_by_the_brokers_maximum() {
    try (BrokerFixture capped = new BrokerFixture("mqtt.max_session_expiry = 10s")) {
      Device d = capped.open("dev", persistent().sessionExpiry(Duration.ofHours(5)));
      d.close(CloseReason.NORMAL);
      capped.advance(Duration.ofSeconds(10));
      assertThat(capped.broker.sessionView("dev")).isNull();
    }
  }

  @Test
  void a_kick_with_discard_closes_the_sink_and_removes_the_session() {
    Device d = f.open("dev", persistent());
    assertThat(f.broker.kick("dev", true)).isTrue();
    f.settle();
    assertThat(d.sink.closed).containsExactly(CloseReason.ADMIN_KICK);
    assertThat(f.broker.sessionView("dev")).isNull();
  }
}
