package io.estuary.tcp.transport;

import io.estuary.tcp.TcpConfig;
import io.estuary.tcp.TcpConfig.TlsOptions;
import io.estuary.tls.GeneratedCertificate;
import io.estuary.tls.PemLoader;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server TLS contexts from PEM files (tls-support's {@link PemLoader}), or the process's one generated
 * certificate (tls-support's {@link GeneratedCertificate}, EC P-256) when none is configured. Copied and adapted
 * from proto-mqtt's {@code transport.TlsContexts} (adapters may not depend on each
 * other); the two are candidates for one helper in tls-support.
 */
final class TlsContexts {
  private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);

  private TlsContexts() {}

  /** @param invalidConfig (key relative to gateway.tcp, expected) → the error naming the key */
  static SslContext server(TcpConfig.Listener l, BiFunction<String, String, IllegalArgumentException> invalidConfig) {
    TlsOptions t = l.tls();
    String key = "listeners." + l.type() + "." + l.name() + ".ssl_options";
    try {
      SslContextBuilder b;
      if (t.selfSigned()) {
        LOG.warn("listener tcp {} uses a self-signed certificate generated at start; set {}.certfile and .keyfile for production",
            l.id(), key);
        GeneratedCertificate g = GeneratedCertificate.get(); // one per process, shared with the other adapters
        b = SslContextBuilder.forServer(g.privateKey(), g.certificate());
      } else {
        b = SslContextBuilder.forServer(PemLoader.keyManagers(Path.of(t.certFile()), Path.of(t.keyFile())));
      }
      b.protocols(t.versions());
      if (t.ciphers() != null) {
        b.ciphers(t.ciphers());
      }
      if (!t.caCertFile().isEmpty()) {
        b.trustManager(PemLoader.trustManagers(Path.of(t.caCertFile())));
      }
      if (t.verifyPeer()) {
        b.clientAuth(t.failIfNoPeerCert() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
      }
      return b.build();
    } catch (Exception e) {
      throw invalidConfig.apply(key + (t.selfSigned() ? "" : ".certfile"),
          "PEM files a TLS context can be built from (" + e.getMessage() + ")");
    }
  }
}
