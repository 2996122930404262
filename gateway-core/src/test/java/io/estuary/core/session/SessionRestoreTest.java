package io.estuary.core.session;

import static io.estuary.core.session.BrokerFixture.clean;
import static io.estuary.core.session.BrokerFixture.message;
import static io.estuary.core.session.BrokerFixture.persistent;
import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.CloseReason;
import io.estuary.api.Delivery;
import io.estuary.core.session.BrokerFixture.Device;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A persistent session rebuilt from the store after a restart. */
class SessionRestoreTest {
  private BrokerFixture f = new BrokerFixture();

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void a_persistent_session_restored_from_the_store_resumes_inflight_in_order_then_the_queue() {
    Device sub = f.open("sub", persistent().receiveMaximum(2)).subscribe("t/#", 1);
    Device pub = f.open("pub", clean());
    for (int i = 0; i < 4; i++) {
      f.publish(pub, "t/a", "m" + i, 1);
    }
    sub.close(CloseReason.TRANSPORT_ERROR); // m0, m1 inflight; m2, m3 queued
    f = f.restart("");
    Device again = f.open("sub", persistent().receiveMaximum(2));
    assertThat(again.session.sessionPresent()).isTrue();
    assertThat(again.sink.payloads()).containsExactly("m0", "m1");
    assertThat(again.sink.delivered).allMatch(Delivery::duplicate);
    again.sink.delivered.forEach(d -> again.session.acknowledge(d.id()));
    f.settle();
    assertThat(again.sink.payloads()).containsExactly("m0", "m1", "m2", "m3");
  }

  @Test
  void restored_subscriptions_route_again() {
    f.open("sub", persistent()).subscribe("t/#", 1).close(CloseReason.NORMAL);
    f = f.restart("");
    Device pub = f.open("pub", clean());
    f.publish(pub, "t/a", "after", 1);
    assertThat(f.open("sub", persistent()).sink.payloads()).containsExactly("after");
  }

  @Test
  void a_session_connected_when_the_process_died_publishes_its_will_on_restore() {
    f.open("dev", persistent().will(message("will/dev", "died", 1)));
    f.broker.close(); // the process dies with the connection up: no close
    BrokerFixture next = new BrokerFixture("", f.store, new ManualTime(f.time.instant()));
    f = next;
    Device watcher = next.open("watcher", clean());
    watcher.subscribe("will/#", 1);
    next.broker.recover();
    next.settle();
    assertThat(watcher.sink.payloads()).containsExactly("died");
  }

  @Test
  void a_restored_session_still_expires() {
    f.open("dev", persistent().sessionExpiry(Duration.ofSeconds(30))).close(CloseReason.NORMAL);
    f = f.restart("");
    assertThat(f.broker.sessionView("dev")).isNotNull();
    f.advance(Duration.ofSeconds(30));
    assertThat(f.broker.sessionView("dev")).isNull();
  }

  @Test
  void held_duplicate_keys_survive_a_restart() {
    Device pub = f.open("pub", persistent());
    pub.session.publishOnce(3, message("t/a", "x", 2));
    f.settle();
    f = f.restart("");
    Device again = f.open("pub", persistent());
    var o = again.session.publishOnce(3, message("t/a", "x", 2)).toCompletableFuture();
    f.settle();
    assertThat(o.join().status()).isEqualTo(io.estuary.api.PublishOutcome.Status.DUPLICATE);
  }
}
