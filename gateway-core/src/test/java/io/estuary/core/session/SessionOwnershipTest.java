package io.estuary.core.session;

import static io.estuary.core.session.BrokerFixture.clean;
import static io.estuary.core.session.BrokerFixture.persistent;
import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.PublishOutcome;
import io.estuary.api.SessionRefusedException;
import io.estuary.api.SessionRefusedException.Reason;
import io.estuary.core.auth.AclAuthorizer;
import io.estuary.core.auth.AclRule;
import io.estuary.core.session.BrokerFixture.Device;
import io.estuary.core.store.SessionRecord;
import io.estuary.core.store.memory.MemoryStore;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue #12: the identity rules of openSession, session ownership, re-authorization on resume, per-delivery ACL. */
class SessionOwnershipTest {
  static AclAuthorizer acl(boolean allowPlant) {
    return new AclAuthorizer(List.of(
        new AclRule(false, "all", "subscribe", List.of("secret/#")),
        new AclRule(allowPlant, "all", "subscribe", List.of("plant/#"))), true, "root"::equals);
  }

  private BrokerFixture f = new BrokerFixture("mqtt.max_clientid_len = 23", new MemoryStore(),
      new ManualTime(BrokerFixture.START), acl(true));

  @AfterEach
  void close() {
    f.close();
  }

  static Reason refusal(Device d) {
    assertThat(d.opened.toCompletableFuture()).as("open of %s", d.clientId).isCompletedExceptionally();
    Throwable t = d.opened.toCompletableFuture().handle((s, e) -> e).join();
    SessionRefusedException r = SessionRefusedException.of(t);
    assertThat(r).as("failure %s", t).isNotNull();
    return r.reason();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a+b", "#", "+", "nul\u0000", "line\nfeed", "del\u007f", "c1\u0085", "twenty-four-chars-long-x"})
  void an_empty_too_long_wildcard_or_control_character_client_id_is_refused_as_invalid(String id) {
    Device d = f.openAs(id, "alice", clean());
    assertThat(refusal(d)).isEqualTo(Reason.INVALID_CLIENT_ID);
    assertThat(f.broker.sessionView(id)).isNull();
    assertThat(f.count("sessions.refused", "reason", "invalid_client_id")).isEqualTo(1);
  }

  @Test
  void a_dollar_client_id_is_reserved_when_not_opened_through_its_adapter() {
    assertThat(refusal(f.openAs("$uplink/cloud", null, persistent()))).isEqualTo(Reason.RESERVED_CLIENT_ID);
    assertThat(refusal(f.openAs("$SYS", null, clean()))).isEqualTo(Reason.RESERVED_CLIENT_ID);
  }

  @Test
  void a_username_with_a_control_character_is_refused() {
    assertThat(refusal(f.openAs("dev", "ali\u0000ce", clean()))).isEqualTo(Reason.INVALID_CLIENT_ID);
  }

  @Test
  void another_username_cannot_take_over_a_live_session() {
    Device owner = f.openAs("dev", "alice", persistent());
    Device thief = f.openAs("dev", "bob", persistent());
    assertThat(refusal(thief)).isEqualTo(Reason.NOT_OWNER);
    assertThat(owner.sink.closed).isEmpty();
    assertThat(f.broker.sessionView("dev").username()).isEqualTo("alice");
    Device anonymous = f.openAs("dev", null, clean());
    assertThat(refusal(anonymous)).isEqualTo(Reason.NOT_OWNER);
    assertThat(f.count("sessions.refused", "reason", "not_owner")).isEqualTo(2);
  }

  @Test
  void a_non_owners_clean_start_does_not_wipe_the_queue_and_the_owner_resumes_it() {
    f.openAs("dev", "alice", persistent()).subscribe("t/#", 1).close(CloseReason.NORMAL);
    Device pub = f.open("pub", clean());
    f.publish(pub, "t/a", "kept", 1);
    assertThat(refusal(f.openAs("dev", "bob", clean()))).isEqualTo(Reason.NOT_OWNER);
    assertThat(f.broker.sessionView("dev").queued()).isEqualTo(1);
    Device again = f.openAs("dev", "alice", persistent());
    assertThat(again.session.sessionPresent()).isTrue();
    assertThat(again.sink.payloads()).containsExactly("kept");
  }

  @Test
  void a_superuser_may_take_over_and_resume_another_users_session() {
    Device owner = f.openAs("dev", "alice", persistent()).subscribe("t/#", 1);
    Device root = f.openAs("dev", "root", persistent());
    assertThat(root.session).isNotNull();
    assertThat(root.session.sessionPresent()).isTrue();
    assertThat(owner.sink.closed).containsExactly(CloseReason.TAKEN_OVER);
    root.close(CloseReason.NORMAL);
    Device back = f.openAs("dev", "alice", persistent());
    assertThat(back.session).as("the owner of a session a superuser resumed is still its owner").isNotNull();
  }

  @Test
  void a_transport_identity_is_part_of_the_owner() {
    ClientInfo withCert = ClientInfo.of("dev", "alice", "test", null).withAuthIdentity("x509:dev");
    f.connect(withCert, persistent().build());
    f.settle();
    f.broker.kick("dev", false);
    f.settle();
    assertThat(refusal(f.openAs("dev", "alice", persistent()))).isEqualTo(Reason.NOT_OWNER);
    Device same = f.connect(withCert, persistent().build());
    f.settle();
    assertThat(same.session).isNotNull();
  }

  @Test
  void the_owner_is_kept_across_a_restart() {
    f.openAs("dev", "alice", persistent()).close(CloseReason.NORMAL);
    f = f.restart("");
    assertThat(refusal(f.openAs("dev", "bob", persistent()))).isEqualTo(Reason.NOT_OWNER);
    assertThat(f.openAs("dev", "alice", persistent()).session.sessionPresent()).isTrue();
  }

  @Test
  void a_stored_session_without_an_owner_is_claimed_by_its_first_attach() {
    f.store.saveSession(new SessionRecord("old", "mqtt", "alice", 3600, f.time.millis(), List.of(), null, 0));
    f = f.restart("");
    Device first = f.openAs("old", "bob", persistent());
    assertThat(first.session.sessionPresent()).isTrue();
    first.close(CloseReason.NORMAL);
    assertThat(refusal(f.openAs("old", "alice", persistent()))).isEqualTo(Reason.NOT_OWNER);
  }

  @Test
  void resume_removes_subscriptions_the_current_acl_denies_before_any_delivery() {
    Device sub = f.openAs("dev", "alice", persistent()).subscribe("plant/#", 1).subscribe("ok/#", 1);
    Device pub = f.open("pub", clean());
    f.publish(pub, "plant/a", "queued before the change", 1);
    sub.close(CloseReason.NORMAL);
    f = f.restart("", acl(false));
    Device again = f.openAs("dev", "alice", persistent());
    assertThat(f.broker.sessionView("dev").subscriptions()).isEqualTo(1);
    assertThat(f.count("acl.denied", "action", "resume")).isEqualTo(1);
    assertThat(again.sink.payloads()).as("the queued message on a topic now denied is not delivered").isEmpty();
    Device pub2 = f.open("pub", clean());
    f.publish(pub2, "plant/b", "after", 1);
    f.publish(pub2, "ok/b", "allowed", 1);
    assertThat(again.sink.payloads()).containsExactly("allowed");
  }

  @Test
  void a_hash_subscriber_receives_no_message_on_a_denied_topic_live_retained_or_queued() {
    Device pub = f.open("pub", clean());
    pub.session.publish(io.estuary.api.Message.of("secret/r", io.estuary.api.Payload.utf8("r"), 1, true));
    pub.session.publish(io.estuary.api.Message.of("open/r", io.estuary.api.Payload.utf8("r"), 1, true));
    f.settle();
    Device sub = f.openAs("sub", "alice", persistent()).subscribe("#", 1);
    assertThat(sub.sink.topics()).containsExactly("open/r");
    f.publish(pub, "secret/live", "x", 1);
    f.publish(pub, "open/live", "y", 0);
    assertThat(sub.sink.topics()).containsExactly("open/r", "open/live");
    sub.sink.delivered.forEach(d -> sub.session.acknowledge(d.id()));
    sub.close(CloseReason.NORMAL);
    f.publish(pub, "secret/queued", "x", 1);
    f.publish(pub, "open/queued", "y", 1);
    Device again = f.openAs("sub", "alice", persistent());
    assertThat(again.sink.topics()).containsExactly("open/queued");
    assertThat(f.count("acl.denied", "action", "deliver")).isGreaterThanOrEqualTo(3);
  }

  @Test
  void a_superusers_hash_subscription_receives_everything() {
    Device pub = f.open("pub", clean());
    Device root = f.openAs("r", "root", clean()).subscribe("#", 0);
    f.publish(pub, "secret/x", "x", 0);
    assertThat(root.sink.topics()).containsExactly("secret/x");
  }

  @Test
  void a_client_cannot_publish_to_sys_whatever_the_acl_says() {
    Device pub = f.openAs("pub", "root", clean());
    assertThat(f.publish(pub, "$SYS/brokers/uplink/status", "forged", 1).status()).isEqualTo(PublishOutcome.Status.NOT_AUTHORIZED);
    assertThat(f.count("acl.denied", "action", "publish")).isEqualTo(1);
    f.broker.publishSystem(io.estuary.api.Message.of("$SYS/ok", io.estuary.api.Payload.utf8("x"), 0, true));
    assertThat(f.broker.retained("$SYS/ok")).isNotNull();
  }

  @Test
  void a_will_on_sys_is_not_published() {
    Device sub = f.openAs("r", "root", clean()).subscribe("$SYS/#", 0);
    var options = clean().will(io.estuary.api.Message.of("$SYS/will", io.estuary.api.Payload.utf8("w"), 0, false));
    Device d = f.openAs("w", "alice", options);
    d.close(CloseReason.TRANSPORT_ERROR);
    f.advance(Duration.ofSeconds(1));
    assertThat(sub.sink.topics()).isEmpty();
  }
}
