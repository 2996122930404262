package io.estuary.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estuary.testkit.LegacyTls;
import io.estuary.testkit.TestGateway;
import io.estuary.testkit.TestPki;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The management API over TLS ({@code api.ssl}): TLS 1.2+ only, whatever the JVM allows (TLS 1.1 is re-enabled here). */
@Timeout(120)
class ApiTlsIT {
  @TempDir Path dir;

  @BeforeAll
  static void jvmAllowsTls11() {
    LegacyTls.requireTls11Enabled();
  }

  private TestGateway gateway(String extra) {
    TestPki pki = TestPki.create(dir, "api-ca");
    TestPki.Issued server = pki.issue("localhost", "127.0.0.1");
    return TestGateway.builder().config("""
        api.ssl { enable = true, certfile = "%s", keyfile = "%s"%s }
        """.formatted(server.certFile(), server.keyFile(), extra)).start();
  }

  @Test
  void the_api_refuses_a_tls_1_1_client_and_serves_tls_1_2_and_1_3() throws Exception {
    try (TestGateway gw = gateway("")) {
      int port = gw.apiAddress().getPort();
      assertThatThrownBy(() -> LegacyTls.handshake(port, "TLSv1.1")).isInstanceOf(SSLException.class).hasMessageContaining("protocol_version");
      assertThat(LegacyTls.handshake(port, "TLSv1.2")).isEqualTo("TLSv1.2");
      assertThat(LegacyTls.handshake(port, "TLSv1.3")).isEqualTo("TLSv1.3");
    }
  }

  @Test
  void estuary_ctl_on_the_same_machine_uses_https_with_the_local_key() throws Exception {
    try (TestGateway gw = gateway("")) {
      CtlIT.Run r = CtlIT.ctlIn(gw.dataDir().getParent(), "stats");
      assertThat(r.exit()).as(r.out()).isZero();
      assertThat(r.out()).contains("connections.count");
    }
  }

  @Test
  void tls_1_1_in_api_ssl_versions_refuses_to_start() {
    assertThatThrownBy(() -> gateway(", versions = [\"tlsv1.1\"]")).hasMessageContaining("api.ssl.versions");
  }
}
