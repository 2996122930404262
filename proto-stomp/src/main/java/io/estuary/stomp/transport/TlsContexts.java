package io.estuary.stomp.transport;

import io.estuary.stomp.StompConfig;
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
 * Server TLS contexts from PEM files (tls-support's {@link PemLoader}) or the process's one generated
 * certificate (tls-support's {@link GeneratedCertificate}, EC P-256) when none is configured. Copied from
 * proto-mqtt's transport and adapted to STOMP's listener record (adapters
 * may not depend on each other; a shared home in tls-support would need Netty there).
 */
final class TlsContexts {
  private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);

  private TlsContexts() {}

  static SslContext server(StompConfig.Listener l, BiFunction<String, String, IllegalArgumentException> invalid) {
    StompConfig.Tls t = l.tls();
    String key = l.key() + ".ssl_options";
    try {
      SslContextBuilder b;
      if (t.selfSigned()) {
        LOG.warn("listener stomp {} uses a self-signed certificate generated at start; set gateway.stomp.{}.certfile "
            + "and .keyfile for production", l.id(), key);
        GeneratedCertificate g = GeneratedCertificate.get(); // one per process, shared with the other adapters
        b = SslContextBuilder.forServer(g.privateKey(), g.certificate());
      } else {
        b = SslContextBuilder.forServer(PemLoader.keyManagers(Path.of(t.certFile()), Path.of(t.keyFile())));
      }
      b.protocols(t.versions());
      if (!t.caCertFile().isEmpty()) {
        b.trustManager(PemLoader.trustManagers(Path.of(t.caCertFile())));
      }
      if (t.verifyPeer()) {
        b.clientAuth(t.failIfNoPeerCert() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
      }
      return b.build();
    } catch (Exception e) {
      throw invalid.apply(key + (t.selfSigned() ? "" : ".certfile"),
          "PEM files a TLS context can be built from (" + e.getMessage() + ")");
    }
  }
}
