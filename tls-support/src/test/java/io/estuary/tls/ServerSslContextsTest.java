package io.estuary.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerSslContextsTest {
  @TempDir Path dir;

  @Test
  void everyListenerWithoutCertfileOrCaSharesOneContextOfTheGeneratedCertificate() throws Exception {
    SSLContext a = ServerSslContexts.server(null, null, null);
    SSLContext b = ServerSslContexts.server("", "", "");
    assertThat(b).isSameAs(a);
    ServerSslContexts.prebuildGenerated(); // what the certificate's thread does: the same context again
    assertThat(ServerSslContexts.server(null, null, null)).isSameAs(a);
    var key = (java.security.interfaces.ECPrivateKey) GeneratedCertificate.get().privateKey();
    assertThat(a.createSSLEngine().getSupportedCipherSuites()).isNotEmpty();
    assertThat(key.getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
  }

  @Test
  void aConfiguredClientsCaGetsItsOwnContextAndAMissingOneIsStillRefused() {
    Path missing = dir.resolve("ca.pem");
    assertThatThrownBy(() -> ServerSslContexts.server(null, null, missing.toString()))
        .hasMessageContaining("ca.pem");
  }
}
