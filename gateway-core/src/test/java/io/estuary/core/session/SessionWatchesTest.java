package io.estuary.core.session;

import static io.estuary.core.session.BrokerFixture.clean;
import static io.estuary.core.session.BrokerFixture.persistent;
import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.core.server.SessionWatches;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GatewayContext.watchSession} ({@link SessionWatches}): a watcher hears of every attach to the session, with
 * the attaching client, and once of its end (deleted, expired, a clean session's connection ended); nothing after
 * that, nothing after the watch is ended, and an end at once for a client id without a session.
 */
class SessionWatchesTest {
  private final BrokerFixture f = new BrokerFixture();
  private final SessionWatches watches = new SessionWatches(f.broker, null);
  /** What the watcher was told, in order: the attaching client's username, or "ended". */
  private final List<String> told = new ArrayList<>();

  SessionWatchesTest() {
    f.broker.events(watches);
  }

  @AfterEach
  void close() {
    f.close();
  }

  private Runnable watch(String clientId) {
    return watches.watch(clientId, Runnable::run, change -> told.add(change.map(ClientInfo::username).orElse("ended")));
  }

  @Test
  void a_watcher_hears_each_attach_with_its_client_and_the_deletion_once() {
    f.open("dev", persistent()).close(CloseReason.NORMAL);
    watch("dev");
    f.openAs("dev", "dev", persistent()); // the same owner resumes
    assertThat(told).containsExactly("dev");
    f.openAs("dev", "dev", persistent()); // a take-over
    assertThat(f.broker.kick("dev", true)).isTrue(); // DELETE /api/v5/clients/dev
    f.settle();
    f.open("dev", persistent()); // a new session of the same id: the watch ended with the old one
    assertThat(told).containsExactly("dev", "dev", "ended");
    assertThat(watches.watched()).isZero();
  }

  @Test
  void a_late_event_of_an_earlier_session_of_the_same_client_id_is_not_told_to_a_watch_of_the_new_one() {
    f.open("dev", persistent()).close(CloseReason.NORMAL);
    Object first = f.broker.sessionIdentity("dev");
    assertThat(f.broker.kick("dev", true)).isTrue();
    f.settle();
    f.open("dev", persistent()).close(CloseReason.NORMAL); // a new session of the same client id
    assertThat(f.broker.sessionIdentity("dev")).isNotSameAs(first);
    watch("dev");
    // the first session's events, late (its discard raced the new session's creation on another thread)
    watches.sessionAttached("dev", first, new ClientInfo("dev", "old", "mqtt", "tcp:default", null, "", null));
    watches.sessionEnded("dev", first);
    assertThat(told).isEmpty();
    assertThat(watches.watched()).isEqualTo(1);
    assertThat(f.broker.kick("dev", true)).isTrue();
    f.settle();
    assertThat(told).containsExactly("ended");
  }

  @Test
  void the_core_expiring_an_offline_session_is_its_end() {
    f.open("exp", persistent()).close(CloseReason.NORMAL);
    watch("exp");
    f.advance(Duration.ofMinutes(59));
    assertThat(told).isEmpty();
    f.advance(Duration.ofMinutes(2));
    assertThat(f.broker.sessionView("exp")).isNull();
    assertThat(told).containsExactly("ended");
  }

  @Test
  void a_clean_session_ends_with_its_connection() {
    BrokerFixture.Device d = f.open("brief", clean());
    watch("brief");
    d.close(CloseReason.NORMAL);
    assertThat(told).containsExactly("ended");
  }

  @Test
  void a_client_id_without_a_session_is_told_its_end_at_once() {
    watch("nobody");
    assertThat(told).containsExactly("ended");
    assertThat(watches.watched()).isZero();
  }

  @Test
  void nothing_is_told_once_the_watch_ended() {
    f.open("w", persistent()).close(CloseReason.NORMAL);
    Runnable end = watch("w");
    end.run();
    end.run();
    assertThat(watches.watched()).isZero();
    f.openAs("w", "w", persistent());
    f.broker.kick("w", true);
    f.settle();
    assertThat(told).isEmpty();
  }
}
