package io.estuary.core.session;

import static io.estuary.core.session.BrokerFixture.clean;
import static io.estuary.core.session.BrokerFixture.message;
import static io.estuary.core.session.BrokerFixture.persistent;
import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.CloseReason;
import io.estuary.api.PublishOutcome;
import io.estuary.core.session.BrokerFixture.Device;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Device → broker: publishes, the duplicate-suppression keys of exactly-once publishes, the ACL. */
class InboundQosTest {
  private BrokerFixture f = new BrokerFixture();

  @AfterEach
  void close() {
    f.close();
  }

  private PublishOutcome publishOnce(Device d, int key, String payload) {
    CompletableFuture<PublishOutcome> o = d.session.publishOnce(key, message("t/a", payload, 2)).toCompletableFuture();
    f.settle();
    return o.join();
  }

  @Test
  void a_publish_once_with_a_held_key_is_a_duplicate_and_is_not_routed_again() {
    Device sub = f.open("sub", clean()).subscribe("t/#", 2);
    Device pub = f.open("pub", clean());
    assertThat(publishOnce(pub, 7, "first").status()).isEqualTo(PublishOutcome.Status.OK);
    assertThat(publishOnce(pub, 7, "again").status()).isEqualTo(PublishOutcome.Status.DUPLICATE);
    assertThat(sub.sink.payloads()).containsExactly("first");
  }

  @Test
  void a_released_key_routes_the_next_publish_with_it() {
    Device sub = f.open("sub", clean()).subscribe("t/#", 2);
    Device pub = f.open("pub", clean());
    publishOnce(pub, 7, "first");
    assertThat(pub.session.releaseKey(7)).isTrue();
    assertThat(pub.session.releaseKey(7)).isFalse();
    assertThat(publishOnce(pub, 7, "second").status()).isEqualTo(PublishOutcome.Status.OK);
    assertThat(sub.sink.payloads()).containsExactly("first", "second");
  }

  @Test
  void a_qos2_pubrel_resumed_after_take_over_is_delivered_once() {
    Device sub = f.open("sub", clean()).subscribe("t/#", 2);
    Device pub = f.open("pub", persistent());
    publishOnce(pub, 9, "exactly-once"); // PUBREC went out, the connection dies before PUBREL
    Device resumed = f.open("pub", persistent()); // takes the session over
    assertThat(publishOnce(resumed, 9, "exactly-once").status()).isEqualTo(PublishOutcome.Status.DUPLICATE);
    assertThat(resumed.session.releaseKey(9)).isTrue();
    assertThat(sub.sink.payloads()).containsExactly("exactly-once");
  }

  @Test
  void held_keys_beyond_max_awaiting_rel_are_refused_with_quota_exceeded() {
    f.close();
    f = new BrokerFixture("mqtt.max_awaiting_rel = 2");
    Device pub = f.open("pub", clean());
    publishOnce(pub, 1, "a");
    publishOnce(pub, 2, "b");
    assertThat(publishOnce(pub, 3, "c").status()).isEqualTo(PublishOutcome.Status.QUOTA_EXCEEDED);
  }

  @Test
  void a_clean_start_forgets_the_held_keys() {
    Device pub = f.open("pub", persistent());
    publishOnce(pub, 4, "a");
    Device fresh = f.open("pub", clean());
    assertThat(publishOnce(fresh, 4, "b").status()).isNotEqualTo(PublishOutcome.Status.DUPLICATE);
  }

  @Test
  void a_publish_the_acl_refuses_is_not_authorized_and_not_routed() {
    Device sub = f.open("sub", clean()).subscribe("#", 1);
    Device pub = f.open("pub", clean());
    assertThat(f.publish(pub, "forbidden/x", "no", 1).status()).isEqualTo(PublishOutcome.Status.NOT_AUTHORIZED);
    assertThat(sub.sink.delivered).isEmpty();
  }

  @Test
  void a_publish_on_a_closed_handle_completes_with_session_closed() {
    Device pub = f.open("pub", clean());
    pub.close(CloseReason.NORMAL);
    assertThat(f.publish(pub, "t/a", "late", 1).status()).isEqualTo(PublishOutcome.Status.SESSION_CLOSED);
  }
}
