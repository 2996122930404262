package io.estuary.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.ClientInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class AclAuthorizerTest {
  final ClientInfo dev = ClientInfo.of("dev1", "alice", "mqttsn", null);

  @Test
  void first_matching_rule_wins_with_placeholders() {
    var acl = new AclAuthorizer(List.of(
        new AclRule(true, "all", "all", List.of("devices/${clientid}/#")),
        new AclRule(false, "protocol:mqttsn", "publish", List.of("#"))), true, u -> false);
    assertThat(acl.authorize(dev, Authorizer.Action.PUBLISH, "devices/dev1/temp")).isTrue();
    assertThat(acl.authorize(dev, Authorizer.Action.PUBLISH, "devices/dev2/temp")).isFalse();
    assertThat(acl.authorize(dev, Authorizer.Action.SUBSCRIBE, "other/x")).isTrue();
  }

  @Test
  void wildcard_subscription_must_be_covered_by_the_rule() {
    var acl = new AclAuthorizer(List.of(new AclRule(true, "username:alice", "subscribe", List.of("a/+/c", "b/#"))), false, u -> false);
    assertThat(acl.authorize(dev, Authorizer.Action.SUBSCRIBE, "a/x/c")).isTrue();
    assertThat(acl.authorize(dev, Authorizer.Action.SUBSCRIBE, "a/+/c")).isTrue();
    assertThat(acl.authorize(dev, Authorizer.Action.SUBSCRIBE, "a/#")).isFalse();
    assertThat(acl.authorize(dev, Authorizer.Action.SUBSCRIBE, "b/+/z")).isTrue();
  }

  @Test
  void eq_matches_literally_and_superuser_skips() {
    var acl = new AclAuthorizer(List.of(new AclRule(true, "all", "subscribe", List.of("eq x/#"))), false, u -> u.equals("root"));
    assertThat(acl.authorize(dev, Authorizer.Action.SUBSCRIBE, "x/#")).isTrue();
    assertThat(acl.authorize(dev, Authorizer.Action.SUBSCRIBE, "x/y")).isFalse();
    assertThat(acl.authorize(ClientInfo.of("r", "root", "mqtt", null), Authorizer.Action.PUBLISH, "any")).isTrue();
  }

  @Test
  void a_placeholder_whose_value_holds_a_wildcard_or_is_missing_never_matches() {
    var acl = new AclAuthorizer(List.of(
        new AclRule(true, "all", "all", List.of("devices/${clientid}/#", "users/${username}/#"))), false, u -> false);
    ClientInfo plus = ClientInfo.of("+", "+", "mqtt", null);
    assertThat(acl.authorize(plus, Authorizer.Action.SUBSCRIBE, "devices/+/#")).isFalse();
    assertThat(acl.authorize(plus, Authorizer.Action.PUBLISH, "devices/other/x")).isFalse();
    assertThat(acl.authorize(ClientInfo.of("#", null, "mqtt", null), Authorizer.Action.SUBSCRIBE, "devices/#")).isFalse();
    assertThat(acl.authorize(ClientInfo.of("a", null, "mqtt", null), Authorizer.Action.SUBSCRIBE, "users//x")).isFalse();
    assertThat(acl.authorize(ClientInfo.of("a", "", "mqtt", null), Authorizer.Action.SUBSCRIBE, "users//x")).isFalse();
    assertThat(acl.authorize(dev, Authorizer.Action.SUBSCRIBE, "devices/dev1/#")).isTrue();
    assertThat(acl.authorize(dev, Authorizer.Action.SUBSCRIBE, "users/alice/x")).isTrue();
  }

  @Test
  void a_delivery_is_denied_only_by_the_first_matching_deny_rule_and_checked_only_when_one_applies() {
    var acl = new AclAuthorizer(List.of(
        new AclRule(true, "username:alice", "subscribe", List.of("secret/alice/#")),
        new AclRule(false, "all", "subscribe", List.of("secret/#")),
        new AclRule(true, "all", "subscribe", List.of("eq x/#"))), false, "root"::equals);
    assertThat(acl.checksDelivery(dev)).isTrue();
    assertThat(acl.authorizeDelivery(dev, "secret/bob/x")).isFalse();
    assertThat(acl.authorizeDelivery(dev, "secret/alice/x")).isTrue();
    assertThat(acl.authorizeDelivery(dev, "x/y")).as("eq rules say nothing about topics; no match allows").isTrue();
    ClientInfo root = ClientInfo.of("r", "root", "mqtt", null);
    assertThat(acl.checksDelivery(root)).isFalse();
    assertThat(acl.authorizeDelivery(root, "secret/bob/x")).isTrue();
    var allowOnly = new AclAuthorizer(List.of(new AclRule(true, "all", "all", List.of("a/#"))), false, u -> false);
    assertThat(allowOnly.checksDelivery(dev)).isFalse();
    var denyOther = new AclAuthorizer(List.of(new AclRule(false, "username:bob", "all", List.of("#"))), true, u -> false);
    assertThat(denyOther.checksDelivery(dev)).isFalse();
  }
}
