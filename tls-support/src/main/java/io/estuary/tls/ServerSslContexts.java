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
 * a thousand classes, the TLS share of the gateway's start-up, issue #19). Stateless; safe from any thread.
 */
public final class ServerSslContexts {
  private ServerSslContexts() {}

  /**
   * @param certFile PEM chain, leaf first, or null/empty for the generated certificate (then {@code keyFile} is unused)
   * @param caCertFile PEM CA bundle the clients' certificates are checked against, or null/empty for the JDK's
   */
  public static SSLContext server(String certFile, String keyFile, String caCertFile) {
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
