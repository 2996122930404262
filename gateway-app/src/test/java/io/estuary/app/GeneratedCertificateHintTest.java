package io.estuary.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

/** Main starts generating the shared certificate early only when an enabled TLS listener has no certfile. */
class GeneratedCertificateHintTest {

  @Test
  void aTlsListenerWithoutCertfileWantsTheGeneratedCertificate() {
    assertThat(Main.wantsGeneratedCertificate(ConfigFactory.parseString(
        "listeners.ssl.default { enable = true, ssl_options.certfile = \"\" }"))).isTrue();
    assertThat(Main.wantsGeneratedCertificate(ConfigFactory.parseString(
        "gateway.stomp.listeners.ssl.\"a.b\".ssl_options.certfile = \"\""))).isTrue();
  }

  @Test
  void configuredCertificatesAndDisabledListenersOrAdaptersDoNot() {
    assertThat(Main.wantsGeneratedCertificate(ConfigFactory.parseString(
        "listeners.ssl.default.ssl_options.certfile = \"etc/cert.pem\""))).isFalse();
    assertThat(Main.wantsGeneratedCertificate(ConfigFactory.parseString(
        "listeners.ssl.default { enable = false, ssl_options.certfile = \"\" }"))).isFalse();
    assertThat(Main.wantsGeneratedCertificate(ConfigFactory.parseString(
        "gateway.stomp { enable = false, listeners.ssl.default.ssl_options.certfile = \"\" }"))).isFalse();
    assertThat(Main.wantsGeneratedCertificate(ConfigFactory.parseString("listeners.tcp.default.bind = \"0.0.0.0:1883\"")))
        .isFalse();
  }
}
