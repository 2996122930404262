package io.estuary.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The JDK {@link SSLContext} a TLS listener serves with: the key from PEM files ({@link PemLoader}) or the process's
 * {@link GeneratedCertificate}, and the clients' CA when one is configured. The listeners wrap it in their
 * library's context (Netty's {@code JdkSslContext}) with the configured versions, ciphers and client
 * authentication. Built here rather than by Netty's {@code SslContextBuilder}: its JDK server context parses a
 * built-in PEM key at class initialisation, with BouncyCastle's provider when that is on the class path (about
 * a thousand classes, the TLS share of the gateway's start-up, issue #19).
 *
 * <p>The context of the generated certificate without a clients' CA is built once per process and shared by every
 * listener that asks for it (MQTT ssl/wss, STOMP ssl, the TCP gateway's ssl): each build loaded the JDK's default
 * trust store and key managers again, 0.1–0.3 s per listener on the start thread. {@link #prebuildGenerated()} builds
 * it on the certificate's own thread right after the generation, with one engine created so the JDK's TLS classes
 * are loaded there too. The only state is that shared context, guarded by a lock; safe from any thread.
 */
public final class ServerSslContexts {
  private static final Object LOCK = new Object();
  private static SSLContext generated; // guarded by LOCK

  private ServerSslContexts() {}

  /**
   * @param certFile PEM chain, leaf first, or null/empty for the generated certificate (then {@code keyFile} is unused)
   * @param caCertFile PEM CA bundle the clients' certificates are checked against, or null/empty for the JDK's
   */
  public static SSLContext server(String certFile, String keyFile, String caCertFile) {
    boolean noCa = caCertFile == null || caCertFile.isEmpty();
    if ((certFile == null || certFile.isEmpty()) && noCa) {
      return generatedContext();
    }
    return build(certFile, keyFile, caCertFile);
  }

  /** The shared context of the generated certificate (no clients' CA), built at the first call. */
  static SSLContext generatedContext() {
    synchronized (LOCK) {
      if (generated == null) {
        generated = build(null, null, null);
      }
      return generated;
    }
  }

  /**
   * Builds the shared context of the generated certificate now and creates one server engine from it (the
   * JDK's TLS classes, its default trust store and cipher suites are loaded on the calling thread). Called on the
   * certificate's own thread after the generation; a failure is left for the listener's own call to report.
   */
  static void prebuildGenerated() {
    try {
      SSLContext c = generatedContext();
      javax.net.ssl.SSLEngine e = c.createSSLEngine();
      e.setUseClientMode(false);
      e.getSupportedCipherSuites();
    } catch (RuntimeException ignored) {
      // the listener's own server(...) call builds again and reports the error with its config key
    }
  }

  private static SSLContext build(String certFile, String keyFile, String caCertFile) {
    KeyManagerFactory kmf = certFile == null || certFile.isEmpty() ? generated()
        : PemLoader.keyManagers(Path.of(certFile), Path.of(keyFile));
    TrustManagerFactory tmf = caCertFile == null || caCertFile.isEmpty() ? null : PemLoader.trustManagers(Path.of(caCertFile));
    try {
      SSLContext c = SSLContext.getInstance("TLS");
      c.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
      return c;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot build a TLS context: " + e.getMessage(), e);
    }
  }

  /** Key managers holding the process's {@link GeneratedCertificate} (waits for its generation). */
  static KeyManagerFactory generated() {
    GeneratedCertificate g = GeneratedCertificate.get();
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("generated", g.privateKey(), new char[0], new X509Certificate[] {g.certificate()});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
      return kmf;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot hold the generated certificate in a key store: " + e.getMessage(), e);
    }
  }
}
