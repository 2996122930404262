package io.estuary.mqtt.transport;

import io.estuary.mqtt.MqttListenerConfig;
import io.estuary.mqtt.MqttListenerConfig.TlsOptions;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.estuary.tls.GeneratedCertificate;
import io.estuary.tls.PemLoader;
import java.nio.file.Path;
import java.util.function.BiFunction;
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
      SslContextBuilder b;
      if (t.selfSigned()) {
        LOG.warn("listener {} uses a self-signed certificate generated at start; set {}.certfile and .keyfile for production",
            l.id(), key);
        GeneratedCertificate g = GeneratedCertificate.get(); // one per process, shared with the other adapters
        b = SslContextBuilder.forServer(g.privateKey(), g.certificate());
      } else {
        b = SslContextBuilder.forServer(PemLoader.keyManagers(Path.of(t.certFile()), Path.of(t.keyFile())));
      }
      // the floor is ours, not the JVM's: java.security differs between distributions and is edited by operators
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
