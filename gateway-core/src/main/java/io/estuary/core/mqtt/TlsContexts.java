package io.estuary.core.mqtt;

import io.estuary.core.config.ConfigError;
import io.estuary.core.config.ListenerConfig;
import io.estuary.core.config.TlsConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.File;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds server TLS contexts from PEM files, or a self-signed one when none is configured. */
final class TlsContexts {
  private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);
  private static SelfSignedCertificate selfSigned;

  private TlsContexts() {}

  static SslContext server(ListenerConfig l) {
    TlsConfig t = l.tls();
    String key = "listeners." + l.type() + "." + l.name() + ".ssl_options";
    try {
      SslContextBuilder b;
      if (t.selfSigned()) {
        LOG.warn("listener {} uses a self-signed certificate generated at start; set {}.certfile and .keyfile for production",
            l.id(), key);
        SelfSignedCertificate ssc = selfSigned();
        b = SslContextBuilder.forServer(ssc.certificate(), ssc.privateKey());
      } else {
        requireFile(key + ".certfile", t.certFile());
        requireFile(key + ".keyfile", t.keyFile());
        b = SslContextBuilder.forServer(new File(t.certFile()), new File(t.keyFile()));
      }
      if (!t.caCertFile().isEmpty()) {
        requireFile(key + ".cacertfile", t.caCertFile());
        b.trustManager(new File(t.caCertFile()));
      }
      if (t.verifyPeer()) {
        b.clientAuth(t.failIfNoPeerCert() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
      }
      return b.build();
    } catch (ConfigError e) {
      throw e;
    } catch (Exception e) {
      throw new ConfigError(key, "cannot build TLS context: " + e.getMessage());
    }
  }

  private static void requireFile(String key, String path) {
    if (!new File(path).isFile()) {
      throw new ConfigError(key, path, "a readable PEM file");
    }
  }

  private static synchronized SelfSignedCertificate selfSigned() throws Exception {
    if (selfSigned == null) {
      selfSigned = new SelfSignedCertificate("localhost");
    }
    return selfSigned;
  }
}
