package io.estuary.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.typesafe.config.ConfigFactory;
import io.estuary.api.AuthResult;
import io.estuary.api.ClientCredentials;
import io.estuary.api.ClientInfo;
import io.estuary.core.config.ConfigError;
import io.estuary.core.config.ConfigLoader;
import io.estuary.core.config.GatewayConfig;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JwtAuthSourceTest {
  static final String S1 = "first-secret-0123456789abcdef0123456789";
  static final String S2 = "second-secret-0123456789abcdef012345678";

  static GatewayConfig config(String hocon) {
    return ConfigLoader.bind(ConfigFactory.parseString(hocon));
  }

  static AuthSetup setup(String hocon) {
    GatewayConfig c = config(hocon);
    return new AuthSetup(c.auth(), c.raw(), Clock.systemUTC());
  }

  static String token(String secret, JWTClaimsSet.Builder claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.expirationTime(new Date(System.currentTimeMillis() + 60_000)).build());
    jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  static AuthResult auth(AuthSetup s, String clientId, String username, String password) {
    return s.authenticator().authenticate(ClientCredentials.of(clientId, username,
        password == null ? null : password.getBytes(StandardCharsets.UTF_8), "mqtt")).toCompletableFuture().join();
  }

  @Test
  void a_reload_swaps_the_secret_for_new_connections() throws Exception {
    String conf = "authentication { allow_anonymous = false, sources = [jwt], jwt.secret = \"%s\" }";
    try (AuthSetup s = setup(conf.formatted(S1))) {
      String old = token(S1, new JWTClaimsSet.Builder());
      assertThat(auth(s, "c", "u", old).isAllowed()).isTrue();
      GatewayConfig next = config(conf.formatted(S2));
      s.reload(next.auth(), next.raw());
      assertThat(auth(s, "c", "u", old).status()).isEqualTo(AuthResult.Status.NOT_AUTHORIZED);
      assertThat(auth(s, "c", "u", token(S2, new JWTClaimsSet.Builder())).isAllowed()).isTrue();
    }
  }

  @Test
  void the_token_can_come_from_the_username_and_the_secret_from_base64() throws Exception {
    String b64 = Base64.getEncoder().encodeToString(S1.getBytes(StandardCharsets.UTF_8));
    try (AuthSetup s = setup("authentication { allow_anonymous = false, sources = [jwt], jwt { from = username, secret = \""
        + b64 + "\", secret_base64_encoded = true } }")) {
      assertThat(auth(s, "c", token(S1, new JWTClaimsSet.Builder()), null).isAllowed()).isTrue();
    }
  }

  @Test
  void a_client_admitted_without_a_token_loses_the_acl_of_its_earlier_token() throws Exception {
    try (AuthSetup s = setup("""
        authentication { allow_anonymous = false, sources = [jwt, built_in], jwt.secret = "%s"
          users = [{ username = alice, password = "alice-password" }] }
        """.formatted(S1))) {
      ClientInfo alice = ClientInfo.of("dev", "alice", "mqtt", null);
      String t = token(S1, new JWTClaimsSet.Builder().claim("acl", Map.of("pub", List.of("only/this"))));
      assertThat(auth(s, "dev", "alice", t).isAllowed()).isTrue();
      assertThat(s.authorizer().authorize(alice, Authorizer.Action.PUBLISH, "other")).isFalse();
      assertThat(auth(s, "dev", "alice", "alice-password").isAllowed()).isTrue();
      assertThat(s.authorizer().authorize(alice, Authorizer.Action.PUBLISH, "other")).isTrue();
    }
  }

  @Test
  void bad_settings_are_refused_naming_the_key() {
    assertThatThrownBy(() -> setup("authentication { sources = [jwt], jwt.secret = short }"))
        .isInstanceOf(ConfigError.class).hasMessageContaining("authentication.jwt.secret").hasMessageNotContaining("short");
    assertThatThrownBy(() -> setup("authentication { sources = [jwt], jwt.algorithm = public-key }"))
        .isInstanceOf(ConfigError.class).hasMessageContaining("authentication.jwt.public_key");
    assertThatThrownBy(() -> setup("authentication { sources = [jwt], jwt { secret = \"%s\", from = header } }".formatted(S1)))
        .isInstanceOf(ConfigError.class).hasMessageContaining("authentication.jwt.from");
    assertThatThrownBy(() -> setup("authentication { sources = [jwt], jwt.use_jwks = true }"))
        .isInstanceOf(ConfigError.class).hasMessageContaining("authentication.jwt.endpoint");
  }

  static AuthSource source(boolean cacheable) {
    return new AuthSource() {
      public String name() {
        return "test";
      }

      public AuthResult check(ClientCredentials c) {
        return AuthResult.allowed();
      }

      public boolean cacheable() {
        return cacheable;
      }
    };
  }

  @Test
  void a_chain_with_a_source_that_may_not_be_cached_never_answers_from_the_cache() {
    var plain = new AuthChain(List.of(source(true)), false, Runnable::run, java.time.Duration.ofMinutes(1), 100, Clock.systemUTC());
    var jwtLike = new AuthChain(List.of(source(true), source(false)), false, Runnable::run, java.time.Duration.ofMinutes(1), 100,
        Clock.systemUTC());
    for (AuthChain chain : List.of(plain, jwtLike)) {
      chain.authenticate(ClientCredentials.of("c", "u", new byte[] {1}, "mqtt")).toCompletableFuture().join();
    }
    assertThat(plain.cacheSize()).isEqualTo(1);
    assertThat(jwtLike.cacheSize()).isZero();
  }
}
