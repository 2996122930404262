package io.estuary.mqtt;

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

/**
 * The MQTT ssl and wss listeners offer TLS 1.2+ only ({@code ssl_options.versions}, EMQX's names),
 * whatever the JVM would allow: this module's ITs run with TLS 1.1 re-enabled in java.security.
 */
@Timeout(60)
class MqttTlsVersionsIT {
  @TempDir Path dir;

  @BeforeAll
  static void jvmAllowsTls11() {
    LegacyTls.requireTls11Enabled();
  }

  private TestGateway gateway(String options) {
    TestPki pki = TestPki.create(dir, "versions-ca");
    TestPki.Issued server = pki.issue("localhost", "127.0.0.1");
    return TestGateway.builder().config("""
        listeners.ssl.default { enable = true, bind = "127.0.0.1:0", ssl_options { certfile = "%s", keyfile = "%s"%s } }
        listeners.wss.default { enable = true, bind = "127.0.0.1:0", ssl_options { certfile = "%s", keyfile = "%s"%s } }
        """.formatted(server.certFile(), server.keyFile(), options, server.certFile(), server.keyFile(), options)).start();
  }

  @Test
  void a_tls_1_1_client_is_refused_on_the_ssl_and_wss_listeners_by_default() throws Exception {
    try (TestGateway gw = gateway("")) {
      for (String type : new String[] {"ssl", "wss"}) {
        assertThatThrownBy(() -> LegacyTls.handshake(gw.mqttPort(type), "TLSv1.1")).as(type)
            .isInstanceOf(SSLException.class).hasMessageContaining("protocol_version");
        assertThat(LegacyTls.handshake(gw.mqttPort(type), "TLSv1.2")).as(type).isEqualTo("TLSv1.2");
        assertThat(LegacyTls.handshake(gw.mqttPort(type), "TLSv1.3")).as(type).isEqualTo("TLSv1.3");
      }
    }
  }

  @Test
  void versions_limits_the_listener_to_the_configured_protocols() throws Exception {
    try (TestGateway gw = gateway(", versions = [\"tlsv1.3\"]")) {
      assertThatThrownBy(() -> LegacyTls.handshake(gw.mqttPort("ssl"), "TLSv1.2")).isInstanceOf(SSLException.class).hasMessageContaining("protocol_version");
      assertThat(LegacyTls.handshake(gw.mqttPort("ssl"), "TLSv1.3")).isEqualTo("TLSv1.3");
    }
  }

  @Test
  void ciphers_limits_the_suites_offered() throws Exception {
    try (TestGateway gw = gateway(", versions = [\"tlsv1.3\"], ciphers = [\"TLS_AES_256_GCM_SHA384\"]")) {
      assertThat(LegacyTls.handshake(gw.mqttPort("ssl"), "TLSv1.3")).isEqualTo("TLSv1.3");
    }
  }

  @Test
  void tls_1_1_in_versions_or_an_unknown_cipher_refuses_to_start_naming_the_key() {
    assertThatThrownBy(() -> gateway(", versions = [\"tlsv1.2\", \"tlsv1.1\"]"))
        .hasMessageContaining(".default.ssl_options.versions").hasMessageContaining("tlsv1.1");
    assertThatThrownBy(() -> gateway(", ciphers = [\"TLS_NOT_A_SUITE\"]"))
        .hasMessageContaining(".default.ssl_options.ciphers").hasMessageContaining("TLS_NOT_A_SUITE");
  }
}
