package io.estuary.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import io.estuary.api.ClientInfo;
import io.estuary.core.auth.Authorizer.Action;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JwtAclTest {
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  static final ClientInfo DEV = ClientInfo.of("dev1", "alice", "mqtt", null);

  static JwtAcl acl(Object claim, Instant exp) throws ParseException {
    var b = new JWTClaimsSet.Builder().claim("acl", claim);
    if (exp != null) {
      b.expirationTime(Date.from(exp));
    }
    return JwtAcl.from(b.build(), "acl");
  }

  @Test
  void a_token_without_the_claim_has_no_acl() throws ParseException {
    assertThat(JwtAcl.from(new JWTClaimsSet.Builder().subject("x").build(), "acl")).isNull();
  }

  @Test
  void the_object_form_allows_what_it_lists_with_placeholders_and_denies_the_rest() throws ParseException {
    JwtAcl a = acl(Map.of("pub", List.of("t/${clientid}/#"), "sub", List.of("u/${username}/+")), null);
    assertThat(a.check(DEV, Action.PUBLISH, "t/dev1/x", NOW)).isTrue();
    assertThat(a.check(DEV, Action.PUBLISH, "t/dev2/x", NOW)).isFalse();
    assertThat(a.check(DEV, Action.SUBSCRIBE, "u/alice/+", NOW)).isTrue();
    assertThat(a.check(DEV, Action.SUBSCRIBE, "u/alice/#", NOW)).isFalse(); // wider than the rule
    assertThat(a.check(DEV, Action.SUBSCRIBE, "t/dev1/x", NOW)).isFalse();
  }

  @Test
  void a_wildcard_client_id_never_fills_a_placeholder() throws ParseException {
    JwtAcl a = acl(Map.of("all", List.of("t/${clientid}")), null);
    assertThat(a.check(ClientInfo.of("#", "alice", "mqtt", null), Action.SUBSCRIBE, "t/#", NOW)).isFalse();
  }

  @Test
  void the_list_form_takes_the_first_match_and_eq_matches_literally() throws ParseException {
    JwtAcl a = acl(List.of(Map.of("permission", "deny", "action", "all", "topic", "d/secret"),
        Map.of("permission", "allow", "action", "all", "topics", List.of("d/#", "eq e/#"))), null);
    assertThat(a.check(DEV, Action.PUBLISH, "d/secret", NOW)).isFalse();
    assertThat(a.check(DEV, Action.PUBLISH, "d/open", NOW)).isTrue();
    assertThat(a.check(DEV, Action.SUBSCRIBE, "e/#", NOW)).isTrue();
    assertThat(a.check(DEV, Action.SUBSCRIBE, "e/x", NOW)).isFalse();
  }

  @Test
  void after_the_tokens_expiry_everything_is_denied() throws ParseException {
    JwtAcl a = acl(Map.of("all", List.of("#")), NOW.plusSeconds(10));
    assertThat(a.check(DEV, Action.PUBLISH, "x", NOW)).isTrue();
    assertThat(a.check(DEV, Action.PUBLISH, "x", NOW.plusSeconds(10))).isFalse();
  }

  @Test
  void a_malformed_claim_is_refused() {
    assertThatThrownBy(() -> acl("all", null)).isInstanceOf(ParseException.class);
    assertThatThrownBy(() -> acl(Map.of("pub", "t/#"), null)).isInstanceOf(ParseException.class);
    assertThatThrownBy(() -> acl(List.of(Map.of("permission", "maybe", "action", "all", "topic", "t")), null))
        .isInstanceOf(ParseException.class);
    assertThatThrownBy(() -> acl(Map.of("pub", java.util.Collections.nCopies(JwtAcl.MAX_RULES + 1, "t")), null))
        .isInstanceOf(ParseException.class);
  }

  @Test
  void the_store_is_bounded_and_drops_expired_acls_to_make_room() throws ParseException {
    JwtAclStore store = new JwtAclStore(Clock.fixed(NOW, ZoneOffset.UTC));
    JwtAcl expired = acl(Map.of("all", List.of("#")), NOW.minusSeconds(1));
    JwtAcl live = acl(Map.of("all", List.of("#")), null);
    for (int i = 0; i < JwtAclStore.MAX_CLIENTS - 1; i++) {
      assertThat(store.put("c" + i, null, live)).isTrue();
    }
    assertThat(store.put("old", null, expired)).isTrue();
    assertThat(store.put("new", null, live)).isTrue(); // the expired entry made room
    assertThat(store.put("one-more", null, live)).isFalse();
    assertThat(store.check(ClientInfo.of("new", null, "mqtt", null), Action.PUBLISH, "x")).isTrue();
    assertThat(store.check(ClientInfo.of("unknown", null, "mqtt", null), Action.PUBLISH, "x")).isNull();
  }
}
