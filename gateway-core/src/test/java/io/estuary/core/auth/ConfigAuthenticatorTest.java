package io.estuary.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.AuthResult;
import io.estuary.api.ClientCredentials;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigAuthenticatorTest {
  static final List<UserEntry> USERS = List.of(
      new UserEntry("gw-site1", "site-secret", true), new UserEntry("sensor-7", "", false));

  static AuthResult check(ConfigAuthenticator a, String user, String password, String protocol) {
    byte[] pw = password == null ? null : password.getBytes(StandardCharsets.UTF_8);
    return a.authenticate(ClientCredentials.of(user, user, pw, protocol)).toCompletableFuture().join();
  }

  @Test
  void a_user_with_a_password_is_never_admitted_without_it_even_over_a_passwordless_protocol() {
    ConfigAuthenticator a = new ConfigAuthenticator(true, USERS, List.of("mqttsn"));
    assertThat(check(a, "gw-site1", null, "mqttsn").isAllowed()).isFalse();
    assertThat(check(a, "gw-site1", "site-secret", "mqtt")).isEqualTo(AuthResult.allowedSuperuser());
  }

  @Test
  void a_user_without_a_password_is_admitted_only_over_a_listed_protocol() {
    ConfigAuthenticator a = new ConfigAuthenticator(false, USERS, List.of("mqttsn-dtls"));
    assertThat(check(a, "sensor-7", null, "mqttsn-dtls").isAllowed()).isTrue();
    assertThat(check(a, "sensor-7", null, "mqttsn").isAllowed()).isFalse();
    assertThat(check(a, "sensor-7", "", "mqtt").isAllowed()).isFalse();
  }

  @Test
  void no_protocol_is_passwordless_by_default() {
    ConfigAuthenticator a = new ConfigAuthenticator(false, USERS, List.of());
    assertThat(check(a, "sensor-7", null, "mqttsn").isAllowed()).isFalse();
  }
}
