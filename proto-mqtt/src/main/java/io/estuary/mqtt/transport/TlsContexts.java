package io.estuary.mqtt.transport;

import io.estuary.mqtt.MqttListenerConfig;
import io.estuary.mqtt.MqttListenerConfig.TlsOptions;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.File;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds server TLS contexts from PEM files (their existence was checked when the config was read),
 * or a self-signed one when none is configured.
 */
final class TlsContexts {
  private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);
  private static SelfSignedCertificate selfSigned;

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
        SelfSignedCertificate ssc = selfSigned();
        b = SslContextBuilder.forServer(ssc.certificate(), ssc.privateKey());
      } else {
        b = SslContextBuilder.forServer(new File(t.certFile()), new File(t.keyFile()));
      }
      if (!t.caCertFile().isEmpty()) {
        b.trustManager(new File(t.caCertFile()));
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

  private static synchronized SelfSignedCertificate selfSigned() throws Exception {
    if (selfSigned == null) {
      selfSigned = new SelfSignedCertificate("localhost");
    }
    return selfSigned;
  }
}
