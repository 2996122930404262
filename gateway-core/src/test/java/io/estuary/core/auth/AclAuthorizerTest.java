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
}
