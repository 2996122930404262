package io.estuary.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estuary.api.ClientInfo;
import io.estuary.core.config.ConfigError;
import java.util.List;
import org.junit.jupiter.api.Test;

/** mosquitto's acl_file rules: user blocks, anonymous lines, patterns, deny first, read on delivery. */
class AclFileTest {
  static final AclFile ACL = AclFile.parse(List.of(
      "# comment",
      "topic read anon/#",
      "user alice",
      "topic read a/#",
      "topic write w/#",
      "topic deny a/secret",
      "topic shared/#",
      "pattern readwrite p/%u/#",
      "pattern read c/%c/#"), "test");

  static ClientInfo c(String id, String user) {
    return ClientInfo.of(id, user, "mqtt", null);
  }

  @Test
  void users_get_their_block_and_deny_wins_over_a_wider_grant() {
    assertThat(ACL.checkDelivery(c("x", "alice"), "a/b")).isTrue();
    assertThat(ACL.checkDelivery(c("x", "alice"), "a/secret")).isFalse();
    assertThat(ACL.check(c("x", "alice"), Authorizer.Action.PUBLISH, "w/1")).isTrue();
    assertThat(ACL.check(c("x", "alice"), Authorizer.Action.PUBLISH, "a/b")).isNull();
    assertThat(ACL.check(c("x", "alice"), Authorizer.Action.PUBLISH, "a/secret")).isFalse();
    assertThat(ACL.check(c("x", "alice"), Authorizer.Action.PUBLISH, "shared/x")).isTrue(); // no access word: readwrite
  }

  @Test
  void lines_before_any_user_are_for_clients_without_a_username() {
    assertThat(ACL.checkDelivery(c("x", null), "anon/1")).isTrue();
    assertThat(ACL.checkDelivery(c("x", "alice"), "anon/1")).isFalse();
  }

  @Test
  void patterns_substitute_username_and_client_id_and_skip_clients_without_a_username() {
    assertThat(ACL.check(c("x", "bob"), Authorizer.Action.PUBLISH, "p/bob/1")).isTrue();
    assertThat(ACL.check(c("x", "bob"), Authorizer.Action.PUBLISH, "p/alice/1")).isNull();
    assertThat(ACL.check(c("x", null), Authorizer.Action.PUBLISH, "p/%u/1")).isNull();
    assertThat(ACL.checkDelivery(c("dev1", null), "c/dev1/x")).isTrue();
    assertThat(ACL.checkDelivery(c("dev1", null), "c/dev2/x")).isFalse();
  }

  @Test
  void a_client_id_or_username_with_a_wildcard_is_denied_everything() {
    assertThat(ACL.check(c("+", "bob"), Authorizer.Action.PUBLISH, "p/bob/1")).isFalse();
    assertThat(ACL.checkDelivery(c("x", "a#"), "anon/1")).isFalse();
  }

  @Test
  void wildcard_subscriptions_are_granted_and_deliveries_need_read() {
    assertThat(ACL.check(c("x", "alice"), Authorizer.Action.SUBSCRIBE, "#")).isTrue();
    assertThat(ACL.checkDelivery(c("x", "alice"), "w/1")).isFalse(); // write only
  }

  @Test
  void a_line_that_is_no_acl_line_fails_naming_it() {
    assertThatThrownBy(() -> AclFile.parse(List.of("user alice", "topic"), "f")).isInstanceOf(ConfigError.class)
        .hasMessageContaining("line 2");
    assertThatThrownBy(() -> AclFile.parse(List.of("allow all"), "f")).hasMessageContaining("line 1");
  }
}
