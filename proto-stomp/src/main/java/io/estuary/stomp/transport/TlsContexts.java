package io.estuary.stomp.transport;

import io.estuary.stomp.StompConfig;
import io.estuary.tls.GeneratedCertificate;
import io.estuary.tls.PemLoader;
import io.estuary.tls.ServerSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import java.util.function.BiFunction;
import javax.net.ssl.SSLContext;
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
      if (t.selfSigned()) {
        LOG.warn("listener stomp {} uses a self-signed certificate generated at start; set gateway.stomp.{}.certfile "
            + "and .keyfile for production", l.id(), key);
      }
      // the JDK context from tls-support (the generated certificate or the PEM files), wrapped with our floor of
      // versions: java.security differs between distributions and is edited by operators
      SSLContext jdk = ServerSslContexts.server(t.selfSigned() ? null : t.certFile(), t.keyFile(), t.caCertFile());
      ClientAuth auth = !t.verifyPeer() ? ClientAuth.NONE : t.failIfNoPeerCert() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL;
      return new JdkSslContext(jdk, false, null, IdentityCipherSuiteFilter.INSTANCE, null, auth,
          t.versions().toArray(String[]::new), false);
    } catch (Exception e) {
      throw invalid.apply(key + (t.selfSigned() ? "" : ".certfile"),
          "PEM files a TLS context can be built from (" + e.getMessage() + ")");
    }
  }
}
