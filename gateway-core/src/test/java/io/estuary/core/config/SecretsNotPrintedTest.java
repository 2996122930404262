package io.estuary.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.estuary.api.ClientCredentials;
import io.estuary.core.auth.UserEntry;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Records that hold passwords or secrets never print them: logs and exception messages carry toString. */
class SecretsNotPrintedTest {
  @Test
  void a_user_entry_hides_its_password() {
    UserEntry u = new UserEntry("gw-site1", "hunter2-plain", true);
    assertThat(u.toString()).contains("gw-site1").doesNotContain("hunter2-plain");
    assertThat(new UserEntry("b", "$2a$10$abcdefghijklmnopqrstuv", false).toString()).doesNotContain("$2a$");
  }

  @Test
  void the_gateway_config_prints_neither_user_passwords_nor_the_raw_tree() {
    GatewayConfig c = ConfigLoader.bind(ConfigFactory.parseString("""
        authentication.users = [{ username = "alice", password = "alice-pass-123" }]
        """));
    // adapters' secrets (PSKs, uplink passwords) live only in raw, which toString leaves out: their keys are
    // unknown to gateway-core's class path alone, so the raw tree is shown absent by its own marker
    assertThat(c.toString()).contains("alice").doesNotContain("alice-pass-123").doesNotContain("Config(");
    assertThat(c.auth().toString()).doesNotContain("alice-pass-123");
  }

  @Test
  void client_credentials_hide_the_password() {
    ClientCredentials c = ClientCredentials.of("dev1", "alice", "cred-pass".getBytes(StandardCharsets.UTF_8), "mqtt");
    assertThat(c.toString()).contains("dev1").contains("alice").contains("***").doesNotContain("cred-pass")
        .doesNotContain("[B@");
  }
}
