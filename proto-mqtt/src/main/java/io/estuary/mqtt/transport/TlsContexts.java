package io.estuary.mqtt.transport;

import io.estuary.mqtt.MqttListenerConfig;
import io.estuary.mqtt.MqttListenerConfig.TlsOptions;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.estuary.tls.GeneratedCertificate;
import io.estuary.tls.PemLoader;
import io.estuary.tls.ServerSslContexts;
import java.util.function.BiFunction;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds server TLS contexts from PEM files read by tls-support's {@link PemLoader} (their existence was
 * checked when the config was read), or tls-support's {@link GeneratedCertificate} (one per process, shared with
 * STOMP and the TCP gateway) when none is configured. Only the configured
 * versions (TLS 1.2 and 1.3 by default, never older) and ciphers are offered.
 */
final class TlsContexts {
  private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);

  private TlsContexts() {}

  /** @param invalidConfig (full key, expected) → the error naming the key */
  static SslContext server(MqttListenerConfig l, BiFunction<String, String, IllegalArgumentException> invalidConfig) {
    TlsOptions t = l.tls();
    String key = l.key() + ".ssl_options";
    try {
      if (t.selfSigned()) {
        LOG.warn("listener {} uses a self-signed certificate generated at start; set {}.certfile and .keyfile for production",
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
