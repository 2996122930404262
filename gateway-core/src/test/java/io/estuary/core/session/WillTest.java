package io.estuary.core.session;

import static io.estuary.core.session.BrokerFixture.clean;
import static io.estuary.core.session.BrokerFixture.message;
import static io.estuary.core.session.BrokerFixture.persistent;
import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.CloseReason;
import io.estuary.core.session.BrokerFixture.Device;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Wills: when they go out, the will delay (MQTT 5 §3.1.3.2.2), updates. */
class WillTest {
  private final BrokerFixture f = new BrokerFixture();
  private Device watcher;

  @BeforeEach
  void watch() {
    watcher = f.open("watcher", clean()).subscribe("will/#", 1);
  }

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void a_will_goes_out_when_the_connection_ends_abnormally() {
    Device d = f.open("dev", clean().will(message("will/dev", "gone", 1)));
    d.close(CloseReason.KEEPALIVE_TIMEOUT);
    assertThat(watcher.sink.payloads()).containsExactly("gone");
  }

  @Test
  void a_normal_close_does_not_publish_the_will() {
    Device d = f.open("dev", clean().will(message("will/dev", "gone", 1)));
    d.close(CloseReason.NORMAL);
    assertThat(watcher.sink.delivered).isEmpty();
  }

  @Test
  void take_over_publishes_the_old_connections_will_when_it_has_no_delay() {
    f.open("dev", persistent().will(message("will/dev", "first", 1)));
    f.open("dev", persistent().will(message("will/dev", "second", 1)));
    assertThat(watcher.sink.payloads()).containsExactly("first");
  }

  @Test
  void a_will_with_delay_goes_out_when_the_delay_elapses() {
    Device d = f.open("dev", persistent().will(message("will/dev", "late", 1)).willDelay(Duration.ofSeconds(30)));
    d.close(CloseReason.TRANSPORT_ERROR);
    f.advance(Duration.ofSeconds(29));
    assertThat(watcher.sink.delivered).isEmpty();
    f.advance(Duration.ofSeconds(1));
    assertThat(watcher.sink.payloads()).containsExactly("late");
  }

  @Test
  void a_will_with_delay_is_cancelled_by_a_reconnect_within_the_delay() {
    Device d = f.open("dev", persistent().will(message("will/dev", "late", 1)).willDelay(Duration.ofSeconds(30)));
    d.close(CloseReason.TRANSPORT_ERROR);
    f.advance(Duration.ofSeconds(10));
    f.open("dev", persistent());
    f.advance(Duration.ofMinutes(5));
    assertThat(watcher.sink.delivered).isEmpty();
  }

  @Test
  void a_pending_will_goes_out_when_the_session_expires_before_the_will_delay() {
    Device d = f.open("dev", persistent().sessionExpiry(Duration.ofSeconds(10))
        .will(message("will/dev", "expired", 1)).willDelay(Duration.ofSeconds(60)));
    d.close(CloseReason.TRANSPORT_ERROR);
    f.advance(Duration.ofSeconds(10));
    assertThat(watcher.sink.payloads()).containsExactly("expired");
    assertThat(f.broker.sessionView("dev")).isNull();
  }

  @Test
  void an_updated_will_replaces_the_one_given_at_open_and_null_clears_it() {
    Device d = f.open("dev", clean().will(message("will/dev", "old", 1)));
    d.session.updateWill(message("will/dev", "new", 1));
    d.close(CloseReason.KEEPALIVE_TIMEOUT);
    assertThat(watcher.sink.payloads()).containsExactly("new");
    Device e = f.open("dev2", clean().will(message("will/dev2", "old", 1)));
    e.session.updateWill(null);
    e.close(CloseReason.KEEPALIVE_TIMEOUT);
    assertThat(watcher.sink.payloads()).containsExactly("new");
  }

  @Test
  void a_will_the_acl_refuses_is_not_published() {
    Device w = f.open("w2", clean()).subscribe("forbidden/#", 1);
    Device d = f.open("dev", clean().will(message("forbidden/will", "no", 1)));
    d.close(CloseReason.KEEPALIVE_TIMEOUT);
    assertThat(w.sink.delivered).isEmpty();
  }
}
