package io.estuary.core.session;

import static io.estuary.core.session.BrokerFixture.clean;
import static io.estuary.core.session.BrokerFixture.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.core.session.BrokerFixture.Device;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The broker counts what it handed to a sink's executor against the sink's credits. */
class SinkCreditsTest {
  private final BrokerFixture f = new BrokerFixture();

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void a_qos0_burst_never_queues_more_on_the_sinks_executor_than_its_credits() {
    Device sub = f.open("sub", clean());
    sub.sink.capacity = 32;
    sub.subscribe("t/#", 0);
    Device pub = f.open("pub", clean());
    for (int i = 0; i < 1_333; i++) {
      pub.session.publish(message("t/" + i, "m" + i, 0)); // the sink's executor does not run meanwhile
    }
    int handed = 0;
    while (sub.sink.executor.runNext()) {
      handed = sub.sink.delivered.size();
    }
    assertThat(handed).isEqualTo(32);
    assertThat(sub.sink.held()).isEqualTo(32);
  }

  @Test
  void a_drain_stalled_by_outstanding_deliveries_resumes_once_the_sink_has_run_them() {
    Device sub = f.open("sub", clean());
    sub.sink.capacity = 4;
    sub.subscribe("t/#", 0);
    Device pub = f.open("pub", clean());
    for (int i = 0; i < 10; i++) {
      pub.session.publish(message("t/" + i, "m" + i, 0));
    }
    sub.sink.capacity = 100; // the device's buffer grew without the adapter saying so: the broker re-reads after its hand-over ran
    f.settle();
    assertThat(sub.sink.payloads()).containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
  }

  @Test
  void zero_credits_pause_delivery_until_the_adapter_reports_credits_available() {
    Device sub = f.open("sub", clean());
    sub.sink.capacity = 2;
    sub.subscribe("t/#", 0);
    Device pub = f.open("pub", clean());
    for (int i = 0; i < 5; i++) {
      f.publish(pub, "t/" + i, "m" + i, 0);
    }
    assertThat(sub.sink.payloads()).containsExactly("m0", "m1");
    assertThat(sub.session.queued()).isEqualTo(3);
    assertThat(sub.session.queuedBytes()).isEqualTo(3 * ("t/0".length() + "m0".length()));
    sub.sink.free(2);
    f.settle();
    assertThat(sub.sink.payloads()).hasSize(2); // nothing moves until the adapter says so
    sub.session.creditsAvailable();
    f.settle();
    assertThat(sub.sink.payloads()).containsExactly("m0", "m1", "m2", "m3");
    sub.sink.free(2);
    sub.session.creditsAvailable();
    f.settle();
    assertThat(sub.sink.payloads()).containsExactly("m0", "m1", "m2", "m3", "m4");
    assertThat(sub.session.queued()).isZero();
  }
}
