package io.estuary.tcp.transport;

import io.estuary.tcp.TcpConfig;
import io.estuary.tcp.TcpConfig.TlsOptions;
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
      if (t.selfSigned()) {
        LOG.warn("listener tcp {} uses a self-signed certificate generated at start; set {}.certfile and .keyfile for production",
            l.id(), key);
      }
      // the JDK context from tls-support (the generated certificate or the PEM files), wrapped with our floor of
      // versions: java.security differs between distributions and is edited by operators
      SSLContext jdk = ServerSslContexts.server(t.selfSigned() ? null : t.certFile(), t.keyFile(), t.caCertFile());
      ClientAuth auth = !t.verifyPeer() ? ClientAuth.NONE : t.failIfNoPeerCert() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL;
      return new JdkSslContext(jdk, false, t.ciphers(), IdentityCipherSuiteFilter.INSTANCE, null, auth,
          t.versions().toArray(String[]::new), false);
    } catch (Exception e) {
      throw invalidConfig.apply(key + (t.selfSigned() ? "" : ".certfile"),
          "PEM files a TLS context can be built from (" + e.getMessage() + ")");
    }
  }
}
